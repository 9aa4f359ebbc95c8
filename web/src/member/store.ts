// The signed-in member's account, shared by every page that shows the balance.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, unwrap } from '@common/api'
import type { Member } from './types'

export const useMe = defineStore('me', () => {
  const me = ref<Member | null>(null)
  const error = ref<unknown>(null)

  async function refresh(): Promise<Member | null> {
    try {
      me.value = await unwrap(api().GET('/v1/me'))
      error.value = null
    } catch (e) {
      error.value = e
    }
    return me.value
  }

  function clear(): void {
    me.value = null
    error.value = null
  }

  return { me, error, refresh, clear }
})
