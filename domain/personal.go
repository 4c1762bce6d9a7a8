package domain

import "strings"

// Personal data in events is never stored in clear: the log seals the
// fields a Personal event names with a key of the person they belong to,
// kept outside the log. Erasing the key erases the data, without rewriting
// history (crypto-shredding).

// Personal is implemented by event data that carries personal fields.
type Personal interface {
	Data
	// MapPersonal returns a copy with every personal field replaced by
	// f(field, value).
	MapPersonal(f func(field, value string) string) Data
}

// ErasedName is shown wherever the name of an erased person would be.
const ErasedName = "gelöschte Person"

// Erased is the value of a personal field whose key is gone.
func Erased(field string) string {
	switch field {
	case "name", "guest_name":
		return ErasedName
	}
	return ""
}

// PersonalOwner names whose key seals the personal fields of an event: the
// person of a roster subject (lb.<tenant>.lotse.<id>), or the guest who
// acted (actor guest:<id>). "" means the event carries no one's data.
func PersonalOwner(subject string, e Event) string {
	parts := strings.Split(subject, ".")
	if len(parts) == 4 && parts[2] == Roster.Kind {
		return parts[3]
	}
	if g, ok := strings.CutPrefix(e.Actor, "guest:"); ok && validToken(g) {
		return g
	}
	return ""
}
