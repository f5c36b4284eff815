import { mkdirSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { z } from 'zod'
import { generateReadablePassword, hashPassword } from '../auth/passwords'
import type { Clock } from '../clock'
import type { Config } from '../config'
import { UUID_PATTERN } from '../ids'
import {
  ORGANISATION_KINDS,
  PROFESSIONAL_ID_KINDS,
  PROFESSIONS,
  ROLES,
  type Organisation,
  type ProfessionalId,
  type Store,
} from '../store'
import { checkFiness, checkInstitutionInami, checkProfessionalId, type IdentifierCheck } from './identifiers'

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export type AdminDeps = {
  readonly config: Pick<Config, 'dataDir' | 'database'>
  readonly clock: Clock
  /** Opened on first use, so `help` and input errors need no database. */
  readonly store: () => Promise<Store>
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

export const USAGE = `Usage: npm run admin -- <command> [--flags]

  org:create --name <name> (--finess <9 digits> | --inami <number> | --enterprise <number>) [--kind <kind>]
  user:create --org <id|finess> --login <login> --name <display name> --profession <profession>
              --role vaccinator|delegate|access-manager|sync-admin [--acts-for <login>]
              [--rpps <11 digits> | --adeli <9 digits> | --inami <11 digits> | --niss <11 digits>]
              [--email <address>] [--password <password>]
  user:reset-password --login <login> [--password <password>]
  devices:list [--org <id|finess>]
  devices:revoke --device <id>
  backup [--out <path>]
  help

A password left out is generated and printed once. Professions: ${PROFESSIONS.join(', ')}.
Settings come from the environment, as for the server: DATA_DIR, DATABASE_URL.`

const digits = (value: string) => value.replace(/[\s.\-/]/g, '')

const checked = (check: (value: string) => IdentifierCheck) =>
  z.string().transform((value, ctx) => {
    const outcome = check(value)
    if (outcome.ok) return outcome.value
    ctx.addIssue({ code: 'custom', message: outcome.message })
    return z.NEVER
  })
const finess = checked(checkFiness)
const belgianInstitutionInami = checked(checkInstitutionInami)
// No rule in src/domain for Belgian enterprise numbers yet: the format only.
const enterpriseNumber = z
  .string()
  .transform(digits)
  .pipe(z.string().regex(/^[01]\d{9}$/, 'an enterprise number has 10 digits and starts with 0 or 1'))

const login = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._-]{1,62}$/,
    'a login has 2 to 63 characters: letters, digits, dot, dash, underscore',
  )
const password = z.string().min(8, 'a password has at least 8 characters').max(256).optional()
const orgRef = z.string().trim().min(1)

const OrgCreateInput = z
  .object({
    name: z.string().trim().min(1, 'the name is required').max(200),
    kind: z
      .enum(ORGANISATION_KINDS, { error: `must be one of ${ORGANISATION_KINDS.join(', ')}` })
      .default('other'),
    finess: finess.optional(),
    inami: belgianInstitutionInami.optional(),
    enterprise: enterpriseNumber.optional(),
  })
  .refine(
    (input) => [input.finess, input.inami, input.enterprise].filter((v) => v !== undefined).length === 1,
    { message: 'give exactly one of --finess, --inami, --enterprise', path: ['finess'] },
  )

/** `today` ('YYYY-MM-DD') dates NISS births, as on the device. */
const userCreateInput = (today: string) =>
  z
    .object({
      org: orgRef,
      login,
      name: z.string().trim().min(1, 'the display name is required').max(200),
      profession: z.enum(PROFESSIONS, { error: `must be one of ${PROFESSIONS.join(', ')}` }),
      role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
      'acts-for': login.optional(),
      rpps: z.string().optional(),
      adeli: z.string().optional(),
      inami: z.string().optional(),
      niss: z.string().optional(),
      email: z.email().optional(),
      password,
    })
    .transform((input, ctx) => {
      if ((input.role === 'delegate') !== (input['acts-for'] !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['acts-for'],
          message: 'is required for a delegate, and only for one',
        })
      }
      const given = PROFESSIONAL_ID_KINDS.filter((kind) => input[kind] !== undefined)
      if (given.length > 1) {
        ctx.addIssue({
          code: 'custom',
          path: [given[1] ?? 'rpps'],
          message: 'give at most one professional number',
        })
        return z.NEVER
      }
      const kind = given[0]
      if (kind === undefined) return { ...input, professionalId: null }
      const outcome = checkProfessionalId(kind, input[kind] ?? '', today)
      if (!outcome.ok) {
        ctx.addIssue({ code: 'custom', path: [kind], message: outcome.message })
        return z.NEVER
      }
      return { ...input, professionalId: { kind, value: outcome.value } satisfies ProfessionalId }
    })

const ResetPasswordInput = z.object({ login, password })
const DevicesListInput = z.object({ org: orgRef.optional() })
const BackupInput = z.object({ out: z.string().min(1).optional() })
const DevicesRevokeInput = z.object({ device: z.string().trim().min(1, 'the device id is required') })

type Options = NonNullable<ParseArgsConfig['options']>
const text = { type: 'string' } as const

class UsageError extends Error {}

function parseFlags<S extends z.ZodType>(args: readonly string[], options: Options, schema: S): z.output<S> {
  let values: Record<string, unknown>
  try {
    values = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const parsed = schema.safeParse(values)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const flag = issue?.path[0] === undefined ? '' : `--${String(issue.path[0])}: `
    throw new UsageError(`${flag}${issue?.message ?? 'invalid input'}`)
  }
  return parsed.data
}

async function findOrganisation(store: Store, ref: string): Promise<Organisation | null> {
  if (UUID_PATTERN.test(ref)) return store.getOrganisation(ref.toLowerCase())
  return store.getOrganisationByFiness(digits(ref))
}

function describeOrganisation(org: Organisation): string {
  const identifier =
    org.finess !== null
      ? `FINESS ${org.finess}`
      : org.inami !== null
        ? `INAMI ${org.inami}`
        : `enterprise ${org.enterpriseNumber ?? '?'}`
  return `« ${org.name} » (${identifier})`
}

type Command = (args: readonly string[], deps: AdminDeps) => Promise<ExitCode>

const commands: Record<string, Command> = {
  async 'org:create'(args, deps) {
    const input = parseFlags(
      args,
      { name: text, kind: text, finess: text, inami: text, enterprise: text },
      OrgCreateInput,
    )
    const store = await deps.store()
    const created = await store.createOrganisation({
      name: input.name,
      kind: input.kind,
      country: input.finess !== undefined ? 'FR' : 'BE',
      finess: input.finess ?? null,
      inami: input.inami ?? null,
      enterpriseNumber: input.enterprise ?? null,
    })
    if (!created.ok) {
      deps.err('Refused: an organisation with this identifier already exists.')
      return EXIT.refused
    }
    deps.out(`Created organisation ${describeOrganisation(created.value)}, id ${created.value.id}.`)
    return EXIT.ok
  },

  async 'user:create'(args, deps) {
    const input = parseFlags(
      args,
      {
        org: text,
        login: text,
        name: text,
        profession: text,
        role: text,
        'acts-for': text,
        rpps: text,
        adeli: text,
        inami: text,
        niss: text,
        email: text,
        password: text,
      },
      userCreateInput(deps.clock.now().toISOString().slice(0, 10)),
    )
    const store = await deps.store()
    const organisation = await findOrganisation(store, input.org)
    if (organisation === null) {
      deps.err(`Refused: no organisation with id or FINESS ${input.org}.`)
      return EXIT.refused
    }
    const plainPassword = input.password ?? generateReadablePassword()
    const passwordHash = await hashPassword(plainPassword)

    const outcome = await store.withTransaction(async (tx) => {
      let actsForUserId: string | null = null
      if (input['acts-for'] !== undefined) {
        const principal = await tx.findUserByLogin(input['acts-for'])
        if (principal === null || principal.user.organisationId !== organisation.id) {
          return {
            refused: `no user ${input['acts-for']} in ${describeOrganisation(organisation)} to act for`,
          }
        }
        actsForUserId = principal.user.id
      }
      const user = await tx.createUser({
        organisationId: organisation.id,
        login: input.login,
        displayName: input.name,
        profession: input.profession,
        professionalId: input.professionalId,
        email: input.email ?? null,
        passwordHash,
      })
      if (!user.ok) return { refused: `the login ${input.login} is already taken` }
      await tx.grantRole({
        userId: user.value.id,
        organisationId: organisation.id,
        role: input.role,
        actsForUserId,
      })
      return { user: user.value }
    })
    if ('refused' in outcome) {
      deps.err(`Refused: ${outcome.refused}.`)
      return EXIT.refused
    }
    const actsFor = input['acts-for'] === undefined ? '' : ` for ${input['acts-for']}`
    deps.out(
      `Created user ${outcome.user.login} (${outcome.user.displayName}) in ${describeOrganisation(organisation)}, role ${input.role}${actsFor}.`,
    )
    if (input.password === undefined) deps.out(`Password: ${plainPassword}   (shown only this once)`)
    return EXIT.ok
  },

  async 'user:reset-password'(args, deps) {
    const input = parseFlags(args, { login: text, password: text }, ResetPasswordInput)
    const store = await deps.store()
    const found = await store.findUserByLogin(input.login)
    if (found === null) {
      deps.err(`Refused: no user with login ${input.login}.`)
      return EXIT.refused
    }
    const plainPassword = input.password ?? generateReadablePassword()
    await store.setPasswordHash(found.user.id, await hashPassword(plainPassword))
    deps.out(`Password of ${found.user.login} reset.`)
    if (input.password === undefined) deps.out(`Password: ${plainPassword}   (shown only this once)`)
    return EXIT.ok
  },

  async 'devices:list'(args, deps) {
    const input = parseFlags(args, { org: text }, DevicesListInput)
    const store = await deps.store()
    let organisationId: string | undefined
    if (input.org !== undefined) {
      const organisation = await findOrganisation(store, input.org)
      if (organisation === null) {
        deps.err(`Refused: no organisation with id or FINESS ${input.org}.`)
        return EXIT.refused
      }
      organisationId = organisation.id
    }
    const devices = await store.listDevices(organisationId)
    if (devices.length === 0) {
      deps.out('No devices registered.')
      return EXIT.ok
    }
    for (const device of devices) {
      const state = device.revokedAt === null ? 'active' : `revoked ${device.revokedAt}`
      const seen = device.lastSeenAt ?? 'never'
      const pending = device.pending === null ? '?' : String(device.pending)
      deps.out(
        `${device.id}  ${device.name}  org ${device.organisationId}  last seen ${seen}  pending ${pending}  ${state}`,
      )
    }
    deps.out(`${devices.length} device(s).`)
    return EXIT.ok
  },

  async 'devices:revoke'(args, deps) {
    const input = parseFlags(args, { device: text }, DevicesRevokeInput)
    const store = await deps.store()
    const revoked = await store.revokeDevice(input.device, null)
    if (!revoked.ok) {
      const existing = await store.getDevice(input.device)
      deps.err(
        revoked.error === 'device-already-revoked' && existing !== null
          ? `Refused: device ${existing.id} (${existing.name}) was already revoked on ${existing.revokedAt ?? '?'}.`
          : `Refused: no device with id ${input.device}.`,
      )
      return EXIT.refused
    }
    const device = revoked.value
    deps.out(
      `Revoked device ${device.id} (${device.name}): it can no longer sync; its unsent changes stay on it, exportable.`,
    )
    return EXIT.ok
  },

  async backup(args, deps) {
    const input = parseFlags(args, { out: text }, BackupInput)
    const stamp = deps.clock.now().toISOString().replace(/[:.]/g, '-')
    const extension = deps.config.database.kind === 'sqlite' ? 'sqlite' : 'dump'
    const target = resolve(input.out ?? join(deps.config.dataDir, 'backups', `carnet-${stamp}.${extension}`))
    if (existsSync(target)) {
      deps.err(`Refused: ${target} already exists.`)
      return EXIT.refused
    }
    const store = await deps.store()
    if (store.kind === 'sqlite') mkdirSync(dirname(target), { recursive: true })
    const outcome = await store.backup(target)
    if (outcome.kind === 'use-pg-dump') {
      deps.err('Not done: on PostgreSQL, back up with pg_dump (set PGPASSWORD if the database needs one):')
      deps.err(`  ${outcome.command}`)
      return EXIT.refused
    }
    deps.out(`Backup written to ${outcome.path} (${outcome.bytes} bytes).`)
    return EXIT.ok
  },

  async help(_args, deps) {
    deps.out(USAGE)
    return EXIT.ok
  },
}

/** Runs one operator command; every outcome is one or two lines on `out` or `err` and an exit code. */
export async function runAdminCommand(argv: readonly string[], deps: AdminDeps): Promise<ExitCode> {
  const [name, ...args] = argv
  const command = name === undefined ? commands.help : commands[name]
  if (command === undefined || !Object.hasOwn(commands, name ?? 'help')) {
    deps.err(`Unknown command: ${name ?? ''}. Run \`npm run admin -- help\`.`)
    return EXIT.usage
  }
  try {
    return await command(args, deps)
  } catch (error) {
    if (error instanceof UsageError) {
      deps.err(`Invalid input for ${name ?? 'help'}: ${error.message}`)
      return EXIT.usage
    }
    throw error
  }
}
