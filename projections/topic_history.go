package projections

// TopicHistoryTail returns the newest n changes of a topic, oldest first,
// with word diffs, and how many changes there are in all. The live topic
// view shows only the tail, so that a long history does not make every
// re-render (or the read lock it holds) long; the full history is a page
// of its own.
func (r *Runner) TopicHistoryTail(id string, n int) ([]HistoryEntry, int, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.boards.topics[id]
	if !ok {
		return nil, 0, false
	}
	total := len(t.History)
	tail := &Boards{topics: map[string]*topicState{id: {History: t.History[max(0, total-n):]}}}
	h, _ := tail.History(id)
	return h, total, true
}
