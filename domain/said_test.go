package domain_test

import (
	"logbuch/domain"
	"logbuch/web/i18n"
)

// said is a message as a German reader sees it: the domain decides what
// to say, and its tests check that in the words people read.
func said(m domain.Msg) string { return i18n.For(i18n.German).Msg(m) }
