import type { Delivery, DeliveryDraft } from './types'

export function emptyDelivery(): DeliveryDraft {
  return { method: 'ship', name: '', phone: '', address: '' }
}

/** The body the API takes: no address for a pickup, trimmed text. */
export function deliveryBody(d: DeliveryDraft): Delivery {
  const body: Delivery = { method: d.method, name: d.name.trim(), phone: d.phone.trim() }
  if (d.method === 'ship') body.address = d.address.trim()
  return body
}
