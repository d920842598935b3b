"""Administrative documents: DOCX in the Nghị định 30/2020 layout, XLSX workbooks."""
