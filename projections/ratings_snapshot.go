package projections

import "encoding/json"

// Ratings keep only participation (rater aggregate ids) and released
// counts, no person's value: saved in snapshots as they are.
func (m *Ratings) snapshotKey() string { return "ratings" }

func (m *Ratings) marshalSnapshot() (json.RawMessage, error) { return json.Marshal(m) }

func (m *Ratings) restoreSnapshot(data json.RawMessage) (snapshotModel, error) {
	fresh := NewRatings()
	if err := json.Unmarshal(data, fresh); err != nil {
		return nil, err
	}
	return fresh, nil
}
