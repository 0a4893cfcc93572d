package redisstorageextension // import "github.com/visutility/otelcol-modelmon/redisstorageextension"

import (
	"strings"

	"go.opentelemetry.io/collector/component"
)

// keySeparator ends a client's prefix. Contrib's extension joins prefix and
// key directly; then the keys of client `exporter_x_` include those of
// `exporter_x__state`, and a walk over one client would return the other's.
// The parts of a prefix are escaped so that they hold no separator: a
// client's key space is then exactly the keys that start with its prefix.
const keySeparator = "/"

var partEscaper = strings.NewReplacer("%", "%25", keySeparator, "%2F")

// clientPrefix names a client's key space as contrib does,
// `<kind>_<type>_<name>[_<storage name>][_<prefix>]`, then the separator.
func clientPrefix(kind component.Kind, id component.ID, name, cfgPrefix string) string {
	var b strings.Builder
	b.WriteString(kindString(kind))
	b.WriteString("_")
	b.WriteString(id.Type().String())
	b.WriteString("_")
	b.WriteString(partEscaper.Replace(id.Name()))
	if name != "" {
		b.WriteString("_")
		b.WriteString(partEscaper.Replace(name))
	}
	if cfgPrefix != "" {
		b.WriteString("_")
		b.WriteString(partEscaper.Replace(cfgPrefix))
	}
	b.WriteString(keySeparator)
	return b.String()
}

func kindString(k component.Kind) string {
	switch k {
	case component.KindReceiver:
		return "receiver"
	case component.KindProcessor:
		return "processor"
	case component.KindExporter:
		return "exporter"
	case component.KindExtension:
		return "extension"
	case component.KindConnector:
		return "connector"
	default:
		return "other"
	}
}

// globEscape quotes the characters SCAN's MATCH pattern treats specially,
// so that a prefix matches only itself.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
