import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTestApp } from '../components/session/mount-app'
import { resetDb, signInOnline } from '../components/session/testing'

describe('session guard', () => {
  beforeEach(resetDb)
  afterEach(() => vi.unstubAllGlobals())

  it('sends every page but sign-in there while signed out, keeping where the user was going', async () => {
    const { router } = createTestApp()
    await router.push('/')
    expect(router.currentRoute.value.name).toBe('sign-in')
    await router.push('/patients/p-1')
    expect(router.currentRoute.value.name).toBe('sign-in')
    expect(router.currentRoute.value.query.redirect).toBe('/patients/p-1')
    await router.push({ name: 'register-patient' })
    expect(router.currentRoute.value.name).toBe('sign-in')
  })

  it('lets a signed-in user through and away from the sign-in page', async () => {
    const { router } = createTestApp()
    await signInOnline()
    await router.push('/nouveau-patient')
    expect(router.currentRoute.value.name).toBe('register-patient')
    await router.push('/connexion')
    expect(router.currentRoute.value.name).toBe('home')
  })
})
