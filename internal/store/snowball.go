package store

import (
	"context"
	"errors"
	"time"
)

// The Snowball job-management API's state: addresses, long-term pricing
// records, clusters and jobs, each owned by one account.
//
// Jobs live in groups. A group is what must change atomically when one of
// its jobs changes: a standalone import or local-use job is a group of one
// (its group id is its job id); an export job is a group made of its main
// job and its job parts (group id: the main job's id); a cluster is a group
// made of the cluster record and its node jobs (group id: the cluster id).
// The provider reads a group, applies its business rules and writes the whole
// group back in one atomic step (UpdateSnowballGroup), so that, for instance,
// adding a node to a cluster and checking the cluster's node limit cannot
// interleave with another node being added.
//
// Documents (the Data fields) belong to the provider: the store keeps their
// bytes unchanged and never interprets them. The other fields are what the
// store must be able to filter, order and index on.

// ErrSnowballNotFound is returned when a record does not exist, or belongs to
// another account (which callers must not be able to tell apart).
var ErrSnowballNotFound = errors.New("store: not found")

// ErrSnowballExists is returned when a record is created with an id already in use.
var ErrSnowballExists = errors.New("store: already exists")

// SnowballAddress is a stored shipping address.
type SnowballAddress struct {
	Account   string
	ID        string
	CreatedAt time.Time
	// Data is the provider's document of the address.
	Data []byte
}

// SnowballPricing is a stored long-term pricing record.
type SnowballPricing struct {
	Account   string
	ID        string
	CreatedAt time.Time
	Data      []byte
}

// SnowballCluster is a stored cluster. Its node jobs are the jobs of the
// group whose id is the cluster's id.
type SnowballCluster struct {
	Account     string
	ID          string
	CreatedAt   time.Time
	Description string
	// State is the cluster's state as the provider last wrote it.
	State string
	Data  []byte
}

// SnowballJob is a stored job: a standalone job, an export main job or job
// part, or a cluster node.
type SnowballJob struct {
	Account string
	ID      string
	// GroupID is the job's group: its own id, its main job's id (export
	// parts) or its cluster's id (cluster nodes).
	GroupID string
	// ClusterID is set for cluster nodes only.
	ClusterID string
	// IsMaster marks an export main job.
	IsMaster     bool
	JobType      string
	SnowballType string
	Description  string
	State        string
	CreatedAt    time.Time
	// StateSince is when the job entered State.
	StateSince time.Time
	// DueAt is when the lifecycle clock moves the job on; the zero time
	// means the job waits for something other than the clock.
	DueAt time.Time
	// LongTermPricingID is the pricing record the job uses, or "".
	LongTermPricingID string
	// Data is the provider's document of the job.
	Data []byte
}

// SnowballGroup is a group of jobs (and, for a cluster, the cluster record)
// read and written as one.
type SnowballGroup struct {
	Account string
	ID      string
	// Cluster is the cluster record when the group is a cluster, else nil.
	Cluster *SnowballCluster
	// Jobs are the group's jobs, oldest first (ties by id).
	Jobs []SnowballJob
}

// SnowballGroupRef names a group.
type SnowballGroupRef struct {
	Account, ID string
}

// SnowballCursor is a position in a newest-first listing: the entry created
// at CreatedAt with id ID. A page after a cursor holds the entries strictly
// older than it, ties broken by id in descending order.
type SnowballCursor struct {
	CreatedAt time.Time
	ID        string
}

// SnowballJobQuery selects jobs of one account for ListSnowballJobs.
type SnowballJobQuery struct {
	Account string
	// ClusterID, when set, keeps only that cluster's nodes.
	ClusterID string
	// LongTermPricingID, when set, keeps only jobs using that record.
	LongTermPricingID string
	// After, when set, starts the page after that position.
	After *SnowballCursor
	// Limit is the page size; at most Limit jobs are returned.
	Limit int
}

// SnowballStore is the Snowball API's persistent state. Every method is safe
// for concurrent use, by several goroutines and by several jobplane nodes
// sharing one database. Every write that returns nil is durable (it survives
// a crash of the process and of the machine). Reads see every write that
// returned before they started. Times are kept to the nanosecond and
// returned in UTC.
type SnowballStore interface {
	// CreateSnowballAddress MUST store a; it returns ErrSnowballExists when the id
	// is taken (in any account).
	CreateSnowballAddress(ctx context.Context, a SnowballAddress) error
	// SnowballAddress MUST return the account's address with that id, or
	// ErrSnowballNotFound (also when another account owns it).
	SnowballAddress(ctx context.Context, account, id string) (SnowballAddress, error)
	// ListSnowballAddresses MUST return up to limit addresses of the account,
	// newest first (ties: greater id first), starting after the cursor when
	// one is given. Addresses created while a client pages MUST NOT make a
	// later page repeat or skip an address that existed when paging began.
	ListSnowballAddresses(ctx context.Context, account string, after *SnowballCursor, limit int) ([]SnowballAddress, error)

	// CreateSnowballPricing MUST store p; ErrSnowballExists when the id is taken.
	CreateSnowballPricing(ctx context.Context, p SnowballPricing) error
	// SnowballPricing MUST return the account's record, or ErrSnowballNotFound.
	SnowballPricing(ctx context.Context, account, id string) (SnowballPricing, error)
	// ListSnowballPricing pages the account's records as ListSnowballAddresses does.
	ListSnowballPricing(ctx context.Context, account string, after *SnowballCursor, limit int) ([]SnowballPricing, error)
	// UpdateSnowballPricing MUST read the record, call fn with it and, when
	// fn returns nil, store what fn left in it (only Data may change), all
	// atomically with respect to other updates of the record. It returns
	// ErrSnowballNotFound for an unknown record and fn's error unchanged.
	UpdateSnowballPricing(ctx context.Context, account, id string, fn func(p *SnowballPricing) error) error

	// CreateSnowballGroup MUST store the group (its cluster record, if any,
	// and every job) atomically: all of it or nothing. It returns ErrSnowballExists
	// when the group id or any job id is taken.
	CreateSnowballGroup(ctx context.Context, g SnowballGroup) error
	// SnowballGroup MUST return the account's group with every job's Data,
	// or ErrSnowballNotFound.
	SnowballGroup(ctx context.Context, account, id string) (SnowballGroup, error)
	// UpdateSnowballGroup MUST read the group, call fn with it and, when fn
	// returns nil, store the group as fn left it, atomically: no other
	// update of the group may interleave (concurrent updates of one group
	// are serialised, on every node), and a crash stores all of it or
	// nothing. fn may change any job field but Account, ID and GroupID,
	// change the cluster's State, Description and Data, and append new jobs
	// (which get stored with the group's id as GroupID); removing jobs is not
	// supported. fn may be called more than once (a driver may retry after
	// a conflict) and must therefore only change the group it is given.
	// It returns ErrSnowballNotFound for an unknown group, ErrSnowballExists when an
	// appended job's id is taken, and fn's error unchanged.
	UpdateSnowballGroup(ctx context.Context, account, id string, fn func(g *SnowballGroup) error) error

	// SnowballJob MUST return the account's job with its Data, or ErrSnowballNotFound.
	SnowballJob(ctx context.Context, account, id string) (SnowballJob, error)
	// SnowballJobOwner MUST return the account and group of the job with
	// that id, whoever owns it, or ErrSnowballNotFound. It serves jobplane's own
	// endpoints, which are not called on behalf of an account.
	SnowballJobOwner(ctx context.Context, id string) (account, groupID string, err error)
	// ListSnowballJobs MUST return up to q.Limit jobs matching q, newest
	// first (ties: greater id first), after q.After when set, with the same
	// paging guarantee as ListSnowballAddresses. It fills only the fields a
	// job list shows: Account, ID, State, IsMaster, JobType, SnowballType,
	// Description and CreatedAt.
	ListSnowballJobs(ctx context.Context, q SnowballJobQuery) ([]SnowballJob, error)
	// SnowballJobsVersion MUST return a number that differs from every
	// number it returned before whenever a job of the account was created or
	// changed since (0 before the account's first job), on every node, so
	// that a cached job list can be checked with one cheap read.
	SnowballJobsVersion(ctx context.Context, account string) (int64, error)
	// CountSnowballJobs MUST return how many of the account's jobs that are
	// not export main jobs are in one of states.
	CountSnowballJobs(ctx context.Context, account string, states []string) (int, error)

	// SnowballCluster MUST return the account's cluster record, or ErrSnowballNotFound.
	SnowballCluster(ctx context.Context, account, id string) (SnowballCluster, error)
	// ListSnowballClusters pages the account's clusters as
	// ListSnowballAddresses does; Data may be left nil.
	ListSnowballClusters(ctx context.Context, account string, after *SnowballCursor, limit int) ([]SnowballCluster, error)

	// DueSnowballGroups MUST return up to limit groups, of any account, that
	// have a job whose DueAt is set and not after now, earliest due first.
	DueSnowballGroups(ctx context.Context, now time.Time, limit int) ([]SnowballGroupRef, error)
	// NextSnowballDue MUST return the earliest DueAt set on any job, and
	// false when no job has one.
	NextSnowballDue(ctx context.Context) (time.Time, bool, error)
}
