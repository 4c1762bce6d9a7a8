package domain

import (
	"context"
	"strings"
)

// Federation: two cities (Konstanz and Heilbronn) run their own Logbuch,
// each with its own log. What they share (the #KNmeetsHN spaces: the joint
// event and the posts on its wall) is written under the home city's shared
// subjects, lb.geteilt.<city>.<kind>.<id>, which the partner's log sources;
// everything else stays under lb.<city>.… and never leaves the city.

// SharedToken is the second token of every shared subject.
const SharedToken = "geteilt"

// SharedFormat is the format of events that both cities share.
const SharedFormat = "#KNmeetsHN"

// SharedSubject is the subject of an aggregate that the partner city sees.
func SharedSubject(tenant, kind, id string) string {
	return "lb." + SharedToken + "." + tenant + "." + kind + "." + id
}

// LocalSubject maps a shared subject (of either city) to the aggregate
// subject lb.<city>.<kind>.<id> that the read models know; other subjects
// are returned unchanged.
func LocalSubject(subject string) string {
	rest, ok := strings.CutPrefix(subject, "lb."+SharedToken+".")
	if !ok || strings.Count(rest, ".") != 2 {
		return subject
	}
	return "lb." + rest
}

// SharedHome returns the city of a shared subject ("" for other subjects).
func SharedHome(subject string) string {
	rest, ok := strings.CutPrefix(subject, "lb."+SharedToken+".")
	if !ok {
		return ""
	}
	city, _, _ := strings.Cut(rest, ".")
	return city
}

// Placement decides where an aggregate of a federated city lives: under
// the city's shared subjects (shared), under its own (not shared), or
// nowhere here (an error: it belongs to the partner city, which alone
// writes it). isNew says the id was just made for this command.
type Placement func(ctx context.Context, kind, id string, isNew bool, cmd any) (shared bool, err error)

// SetPlacement installs the placement of a federated city; call before the
// first command. Without one every aggregate lives under lb.<city>.….
func (h *Handler) SetPlacement(p Placement) { h.placement = p }

// subjectOf returns the subject an aggregate is stored under.
func (h *Handler) subjectOf(ctx context.Context, kind, id string, isNew bool, cmd any) (string, error) {
	if h.placement != nil {
		shared, err := h.placement(ctx, kind, id, isNew, cmd)
		if err != nil {
			return "", err
		}
		if shared {
			return SharedSubject(h.tenant, kind, id), nil
		}
	}
	return Subject(h.tenant, kind, id), nil
}
