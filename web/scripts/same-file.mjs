// Fails when the committed generated client no longer matches openapi.json.
import { readFileSync, rmSync } from 'node:fs'

const [committed, fresh] = process.argv.slice(2)
const same = readFileSync(committed, 'utf8') === readFileSync(fresh, 'utf8')
rmSync(fresh)
if (!same) {
  console.error(`${committed} is out of date: run 'npm run gen:api' in web/ and commit it.`)
  process.exit(1)
}
