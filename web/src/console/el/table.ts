// The Element Plus parts the sections' lists use, with their styles.
import 'element-plus/es/components/table/style/css'
import 'element-plus/es/components/table-column/style/css'
import 'element-plus/es/components/tag/style/css'

export { ElTable, ElTableColumn, ElTag } from 'element-plus'
