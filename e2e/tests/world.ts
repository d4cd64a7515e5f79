// The data every journey starts from (created by global-setup.ts through the API).
export const ADMIN = { username: 'admin', password: 'Bureau#E2e2026' }
export const UNIT_USER = { username: 'jia', password: 'Unit#E2e2026', unit: '甲单位（测试）' }

export const WORLD = [
  { name: '甲单位（测试）', systems: ['甲单位办公系统', '甲单位门户网站'] },
  { name: '乙单位（测试）', systems: ['乙单位审批系统', '乙单位数据平台', '乙单位视频会议系统'] },
]
