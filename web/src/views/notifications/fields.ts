// The settings of each kind of channel, in the order the form shows them. `secret` fields are
// never returned by the API: left empty on edit, they keep what is stored.
export type ChannelKind = 'email' | 'wecom' | 'dingtalk' | 'feishu' | 'sms' | 'webhook'

export interface Field {
  key: string
  secret?: boolean
  required?: boolean
  textarea?: boolean
  choices?: string[]
}

export const KINDS: ChannelKind[] = ['wecom', 'dingtalk', 'feishu', 'email', 'sms', 'webhook']

/** The fields of a kind; WeCom and SMS depend on the mode/provider chosen. */
export function fieldsOf(kind: ChannelKind, mode: string): Field[] {
  switch (kind) {
    case 'email':
      return [
        { key: 'host', required: true },
        { key: 'port' },
        { key: 'tls', choices: ['starttls', 'implicit', 'none'] },
        { key: 'username' },
        { key: 'password', secret: true },
        { key: 'from', required: true },
      ]
    case 'wecom':
      return mode === 'app'
        ? [
            { key: 'corp_id', required: true },
            { key: 'agent_id', required: true },
            { key: 'corp_secret', secret: true, required: true },
            { key: 'api_base' },
          ]
        : [{ key: 'webhook', required: true }]
    case 'dingtalk':
    case 'feishu':
      return [{ key: 'webhook', required: true }, { key: 'secret', secret: true }]
    case 'webhook':
      return [{ key: 'url', required: true }, { key: 'secret', secret: true }]
    case 'sms':
      if (mode === 'aliyun')
        return [
          { key: 'access_key_id', required: true },
          { key: 'access_key_secret', secret: true, required: true },
          { key: 'sign_name', required: true },
          { key: 'template_code', required: true },
          { key: 'template_param' },
          { key: 'endpoint' },
        ]
      if (mode === 'tencent')
        return [
          { key: 'secret_id', required: true },
          { key: 'secret_key', secret: true, required: true },
          { key: 'sdk_app_id', required: true },
          { key: 'sign_name', required: true },
          { key: 'template_id', required: true },
          { key: 'region' },
          { key: 'endpoint' },
        ]
      return [
        { key: 'url', required: true },
        { key: 'body_template', required: true, textarea: true },
        { key: 'content_type' },
        { key: 'secret', secret: true },
      ]
  }
}
