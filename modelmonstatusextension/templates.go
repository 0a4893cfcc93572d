package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"embed"
	"html/template"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages holds every page; html/template escapes each value for where it
// lands (text, attribute, URL), inside the SVG charts too.
var pages = template.Must(template.New("").ParseFS(templateFiles, "templates/*.html"))
