package slogreq

// Stats are a Handler's counters since NewHandler. Every record Handle is
// given is either Accepted or Dropped; every Accepted record is eventually
// Written unless Close gives up (its error says how many were not).
type Stats struct {
	// Accepted counts records copied into the ring buffer.
	Accepted uint64
	// Dropped counts records not accepted: the ring was full under
	// DropNewest (or under Block while writes were failing), or Handle was
	// called after Close.
	Dropped uint64
	// Written counts accepted records written to the io.Writer.
	Written uint64
	// WriteErrors counts errors returned by the io.Writer; each failed
	// Write is retried.
	WriteErrors uint64
	// Truncated counts accepted records cut to MaxRecordSize.
	Truncated uint64
	// Reports counts the lines the handler wrote about drops and errors.
	Reports uint64
}

// Pending is the number of accepted records not yet written.
func (s Stats) Pending() uint64 { return s.Accepted - s.Written }

func (c *core) stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{
		Accepted:    c.accepted,
		Dropped:     c.dropped,
		Written:     c.written,
		WriteErrors: c.writeErrors,
		Truncated:   c.truncated,
		Reports:     c.reports,
	}
}
