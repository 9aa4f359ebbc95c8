// Messages to the member: `flash` (a short status line, announced politely) and `notify`/
// `confirm` (a dialog). Rendered once by widgets/Notices.vue. Vant's function dialogs and
// toasts are not used: their dialog points aria-labelledby at its title TEXT (no such id), so
// it has no accessible name, and a toast is a nameless role="dialog".
import { reactive } from 'vue'

interface DialogState {
  show: boolean
  title: string
  message: string
  confirmText: string
  cancelText: string
  resolve: ((confirmed: boolean) => void) | null
}

export const flashState = reactive({ text: '', serial: 0 })
export const dialogState = reactive<DialogState>({
  show: false,
  title: '',
  message: '',
  confirmText: '',
  cancelText: '',
  resolve: null,
})

let timer: ReturnType<typeof setTimeout> | undefined

export function flash(text: string, ms = 3000): void {
  flashState.text = text
  flashState.serial++
  clearTimeout(timer)
  timer = setTimeout(() => (flashState.text = ''), ms)
}

function open(title: string, message: string, confirmText = '', cancelText = ''): Promise<boolean> {
  dialogState.resolve?.(false)
  return new Promise((resolve) => {
    Object.assign(dialogState, { show: true, title, message, confirmText, cancelText, resolve })
  })
}

/** A dialog with one button; resolves when it is closed. */
export async function notify(title: string, message: string, confirmText = ''): Promise<void> {
  await open(title, message, confirmText)
}

/** A dialog with confirm and cancel; resolves true when confirmed. */
export function confirm(title: string, message: string, cancelText: string): Promise<boolean> {
  return open(title, message, '', cancelText)
}

export function closeDialog(confirmed: boolean): void {
  const resolve = dialogState.resolve
  dialogState.show = false
  dialogState.resolve = null
  resolve?.(confirmed)
}
