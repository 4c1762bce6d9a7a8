package domain

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
	if field == "name" {
		return ErasedName
	}
	return ""
}
