// Starts `yunwei serve` on a fresh temporary data directory and a port it binds itself, seeds two
// units with systems and a unit user through the API, and stops the server when the run ends.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

import { ADMIN, UNIT_USER, WORLD } from './tests/world'

/** The base URL the server logs once it listens on the port it bound itself (`--listen
 * 127.0.0.1:0`: held from bind to exit, so nothing else can take it in between). Its other log
 * lines go on to stderr. */
function listening(server: ChildProcess): Promise<string> {
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: server.stderr! })
    const timer = setTimeout(() => fail(new Error('yunwei did not say where it listens')), 120_000)
    server.once('exit', (code) => fail(new Error(`yunwei exited with ${code}`)))
    lines.on('line', (line) => {
      try {
        const fields = (JSON.parse(line) as { fields?: { message?: string; addr?: string } }).fields
        if (fields?.message === 'yunwei is listening' && fields.addr) {
          clearTimeout(timer)
          ok(`http://${fields.addr}`)
          return
        }
      } catch {
        // not a log record
      }
      process.stderr.write(`${line}\n`)
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
  const server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir], {
    env: {
      ...process.env,
      YUNWEI_ADMIN_USERNAME: ADMIN.username,
      YUNWEI_ADMIN_PASSWORD: ADMIN.password,
      YUNWEI_DATABASE_URL: '',
      YUNWEI_LOG: 'warn,yunwei=info',
      YUNWEI_LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'inherit', 'pipe'],
  })
  const stop = async () => {
    server.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  let base = ''
  try {
    base = await listening(server)
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
