package domain

// Aemter are the units (Ämter and Eigenbetriebe) a Lotse can belong to.
// The list is the one of DOMAIN.md; the order is the one shown in forms.
var Aemter = []string{
	"Amt für Digitalisierung und IT",
	"Amt für Liegenschaften und Geoinformation",
	"Amt für Stadtplanung und Umwelt",
	"Archiv",
	"Bauverwaltungsamt",
	"Baurechts- und Denkmalamt",
	"Bürgeramt",
	"Entsorgungsbetriebe",
	"Hauptamt",
	"Kämmerei",
	"Kulturamt",
	"Personal- und Organisationsamt",
	"Personalrat / Schwerbehindertenvertretung",
	"Pressereferat",
	"Rechnungsprüfungsamt",
	"Smart Green City / Wirtschaftsförderung",
	"Sozial- und Jugendamt",
	"Spitalstiftung",
	"Stadtbibliothek",
	"Städtische Museen",
	"Technische Betriebe",
}

// Cities are the partner cities of #KNmeetsHN.
var Cities = []string{"Konstanz", "Heilbronn"}

// Role is what a person may do in Logbuch.
type Role string

// The roles of DOMAIN.md.
const (
	RoleLotse          Role = "lotse"
	RoleLenkungsgruppe Role = "lenkungsgruppe"
	RoleAdmin          Role = "admin"
)

// Roles in the order forms show them.
var Roles = []Role{RoleLotse, RoleLenkungsgruppe, RoleAdmin}

// Label names a role (catalogue key role.<role>).
func (r Role) Label() Msg { return M("role." + string(r)) }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return contains(Roles, r) }

// KnownAmt reports whether a is one of Aemter.
func KnownAmt(a string) bool { return contains(Aemter, a) }

// KnownCity reports whether c is one of Cities.
func KnownCity(c string) bool { return contains(Cities, c) }

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
