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

/** Item names by id, for orders and coupons (which carry only the id); one catalog read. */
export const useItemNames = defineStore('itemNames', () => {
  const names = ref<Record<string, string>>({})
  let loading: Promise<void> | null = null

  function load(): Promise<void> {
    loading ??= unwrap(api().GET('/v1/catalog', { params: { query: { limit: 100 } } }))
      .then((page) => {
        names.value = Object.fromEntries(page.items.map((item) => [item.item_id, item.name]))
      })
      .catch(() => {
        loading = null // the ids are shown instead; try again next time
      })
    return loading
  }

  function name(itemId: string): string {
    return names.value[itemId] ?? itemId
  }

  return { names, load, name }
})
