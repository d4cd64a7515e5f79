// Starts `yunwei serve` on a fresh temporary data directory and a free port, seeds two units
// with systems and a unit user through the API, and stops the server when the run ends.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { ADMIN, UNIT_USER, WORLD } from './tests/world'

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      s.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))))
    })
  })
}

async function waitReady(base: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`yunwei at ${base} did not become ready`)
}

async function api(base: string, token: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as { id: string }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = resolve(process.env.YUNWEI_BIN ?? '../target/debug/yunwei')
  const dir = mkdtempSync(join(tmpdir(), 'yunwei-e2e-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const server = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], {
    env: {
      ...process.env,
      YUNWEI_ADMIN_USERNAME: ADMIN.username,
      YUNWEI_ADMIN_PASSWORD: ADMIN.password,
      YUNWEI_DATABASE_URL: '',
      YUNWEI_LOG: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const stop = async () => {
    server.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitReady(base)
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    })
    const { token } = (await login.json()) as { token: string }
    for (const unit of WORLD) {
      const { id } = await api(base, token, '/units', { name: unit.name })
      for (const system of unit.systems) {
        await api(base, token, '/systems', { name: system, unit_id: id, dengbao_level: 2 })
      }
      if (unit.name === UNIT_USER.unit) {
        await api(base, token, '/users', {
          username: UNIT_USER.username,
          password: UNIT_USER.password,
          display_name: '甲单位联络员',
          role: 'unit_user',
          unit_id: id,
        })
      }
    }
  } catch (e) {
    await stop()
    throw e
  }
  process.env.YUNWEI_E2E_BASE = base
  return stop
}
