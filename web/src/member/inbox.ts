// The member's unread message count for the badges (the tab bar's 我的, the home page's inbox
// link): the `unread` every page of GET /v1/me/messages carries, refreshed as the member moves
// between the tabs and set by the inbox page from what it reads and marks.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, unwrap } from '@common/api'

export const useInbox = defineStore('inbox', () => {
  const unread = ref(0)

  async function refresh(): Promise<void> {
    try {
      const page = await unwrap(
        api().GET('/v1/me/messages', { params: { query: { unread: 'true', limit: 1 } } }),
      )
      unread.value = page.unread
    } catch {
      // the badge keeps its last count; the inbox page says why it cannot read
    }
  }

  return { unread, refresh }
})

/** The badge's text: nothing at 0, "99+" above 99. */
export function badge(count: number): string | undefined {
  if (count <= 0) return undefined
  return count > 99 ? '99+' : String(count)
}
