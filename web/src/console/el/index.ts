// The Element Plus parts the console's sections share, with their styles, registered once on
// the app (main.ts): a view writes <ElButton>, <ElTable>, <ElDatePicker> ... without importing
// them, and vue-tsc checks their props through the GlobalComponents declaration below.
import type { App } from 'vue'
import {
  ElButton,
  ElDatePicker,
  ElDialog,
  ElForm,
  ElFormItem,
  ElInput,
  ElInputNumber,
  ElOption,
  ElSelect,
  ElTable,
  ElTableColumn,
  ElTag,
} from 'element-plus'
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/date-picker/style/css'
import 'element-plus/es/components/dialog/style/css'
import 'element-plus/es/components/form/style/css'
import 'element-plus/es/components/form-item/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/input-number/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/option/style/css'
import 'element-plus/es/components/select/style/css'
import 'element-plus/es/components/table/style/css'
import 'element-plus/es/components/table-column/style/css'
import 'element-plus/es/components/tag/style/css'

const parts = [ElButton, ElDatePicker, ElDialog, ElForm, ElFormItem, ElInput, ElInputNumber,
  ElOption, ElSelect, ElTable, ElTableColumn, ElTag]

/** app.use(registerElementParts): each part installs itself under its own name. */
export function registerElementParts(app: App): void {
  for (const part of parts) app.use(part)
}

declare module 'vue' {
  interface GlobalComponents {
    ElButton: typeof ElButton
    ElDatePicker: typeof ElDatePicker
    ElDialog: typeof ElDialog
    ElForm: typeof ElForm
    ElFormItem: typeof ElFormItem
    ElInput: typeof ElInput
    ElInputNumber: typeof ElInputNumber
    ElOption: typeof ElOption
    ElSelect: typeof ElSelect
    ElTable: typeof ElTable
    ElTableColumn: typeof ElTableColumn
    ElTag: typeof ElTag
  }
}

export { ElMessage } from 'element-plus'
