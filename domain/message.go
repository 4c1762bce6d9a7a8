package domain

// Msg is a text for people, named by its key in the language catalogues
// (web/i18n): the domain decides what to say, the web says it in the
// reader's language. Args fill the placeholders of the text; an argument
// that is a Msg itself is translated too (a role's name inside a sentence).
type Msg struct {
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// M returns the message with the key and arguments.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// IsZero reports whether m says nothing.
func (m Msg) IsZero() bool { return m.Key == "" }
