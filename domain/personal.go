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

// ErasedName stands wherever the name of an erased person would be: read
// models, decoded events and snapshots carry it as the name. It is a
// marker, not a text: the web recognises it (IsErasedName) and says
// ErasedNameKey in the reader's language. Its value is kept as it always
// was, since snapshots written before hold it.
//
// i18n:data: a marker value stored in read models and snapshots.
const ErasedName = "gelöschte Person"

// ErasedNameKey is the catalogue key of what people read for ErasedName.
const ErasedNameKey = "person.erased_name"

// IsErasedName reports whether a name from a read model is the marker of
// an erased person.
func IsErasedName(name string) bool { return name == ErasedName }

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
