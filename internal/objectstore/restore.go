package objectstore

import (
	"fmt"
	"strings"
	"time"
)

// RestoreDelays are the simulated times an archive restore takes, per
// storage class and tier. The defaults are the upper ends of the times AWS
// documents (Amazon S3 User Guide, "Understanding archive retrieval
// options"): GLACIER Expedited 1-5 minutes, Standard 3-5 hours, Bulk 5-12
// hours; DEEP_ARCHIVE Standard within 12 hours, Bulk within 48 hours.
type RestoreDelays map[string]time.Duration

// DefaultRestoreDelays returns the documented restore times.
func DefaultRestoreDelays() RestoreDelays {
	return RestoreDelays{
		"GLACIER/Expedited":     5 * time.Minute,
		"GLACIER/Standard":      5 * time.Hour,
		"GLACIER/Bulk":          12 * time.Hour,
		"DEEP_ARCHIVE/Standard": 12 * time.Hour,
		"DEEP_ARCHIVE/Bulk":     48 * time.Hour,
	}
}

// ParseRestoreDelays parses the --s3-restore-delay setting: either one
// duration for every class and tier ("0s", "2m"), or a comma-separated list
// of CLASS/Tier=duration or Tier=duration entries overriding the defaults
// ("Expedited=10s,DEEP_ARCHIVE/Bulk=1h").
func ParseRestoreDelays(s string) (RestoreDelays, error) {
	d := DefaultRestoreDelays()
	s = strings.TrimSpace(s)
	if s == "" {
		return d, nil
	}
	if one, err := time.ParseDuration(s); err == nil {
		if one < 0 {
			return nil, fmt.Errorf("restore delay %q is negative", s)
		}
		for k := range d {
			d[k] = one
		}
		return d, nil
	}
	for entry := range strings.SplitSeq(s, ",") {
		name, v, ok := strings.Cut(strings.TrimSpace(entry), "=")
		dur, err := time.ParseDuration(strings.TrimSpace(v))
		if !ok || err != nil || dur < 0 {
			return nil, fmt.Errorf("restore delay entry %q is not CLASS/Tier=duration or Tier=duration", entry)
		}
		matched := false
		for k := range d {
			class, tier, _ := strings.Cut(k, "/")
			if name == k || name == tier || name == class {
				d[k] = dur
				matched = true
			}
		}
		if !matched {
			return nil, fmt.Errorf("restore delay entry %q names no known class or tier", entry)
		}
	}
	return d, nil
}

// Delay returns the restore time of a class and tier ("" is Standard).
func (d RestoreDelays) Delay(class, tier string) time.Duration {
	if tier == "" {
		tier = TierStandard
	}
	return d[class+"/"+tier]
}

// Start applies a restore request at now to an archived version's restore
// state (nil when none was requested) and returns the new state, whether the
// restored copy was already readable, or S3's refusal. A restore in progress
// cannot be restarted (RestoreAlreadyInProgress); a readable copy only has
// its expiry moved (Amazon S3 API Reference, RestoreObject).
func (d RestoreDelays) Start(now time.Time, class string, cur *RestoreState, days int, tier string) (*RestoreState, bool, error) {
	if !IsArchived(class) {
		return nil, false, ErrInvalidObjectState(class, "Restore is not allowed for the object's current storage class")
	}
	if err := ValidateRestore(class, days, tier); err != nil {
		return nil, false, err
	}
	if tier == "" {
		tier = TierStandard
	}
	if cur.InProgress(now) {
		return nil, false, ErrRestoreAlreadyInProgress()
	}
	if cur.Readable(now) {
		next := *cur
		next.Days = days
		next.ExpiresAt = expiry(now, days)
		return &next, true, nil
	}
	ready := now.Add(d.Delay(class, tier))
	return &RestoreState{Tier: tier, Days: days, RequestedAt: now, ReadyAt: ready, ExpiresAt: expiry(ready, days)}, false, nil
}

// expiry is when a copy restored at t for days goes away: S3 rounds the
// expiry up to the next midnight UTC.
func expiry(t time.Time, days int) time.Time {
	e := t.UTC().AddDate(0, 0, days)
	midnight := time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC)
	if midnight.Before(e) {
		midnight = midnight.AddDate(0, 0, 1)
	}
	return midnight
}
