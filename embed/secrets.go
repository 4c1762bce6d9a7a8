package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Secrets that must not be in the log (password hashes, sessions, one-time
// links, API token hashes) live in key-value buckets beside it. Values are
// JSON; keys are made of letters, digits, '-', '_' and '.'.

// Buckets of secrets.
const (
	BucketCredentials = "LB_CREDENTIALS"
	BucketSessions    = "LB_SESSIONS"
	BucketInvites     = "LB_INVITES"
	BucketTokens      = "LB_TOKENS"
)

var secretBuckets = []string{BucketCredentials, BucketSessions, BucketInvites, BucketTokens, bucketKeys}

// bucketTTL removes entries that can no longer be valid: sessions last at
// most 12 hours (a guest's: until the event ends, at most a week), links at
// most a week. Nothing else expires.
var bucketTTL = map[string]time.Duration{
	BucketSessions: 8 * 24 * time.Hour,
	BucketInvites:  31 * 24 * time.Hour,
}

func (l *Log) openBuckets(ctx context.Context) error {
	l.buckets = map[string]jetstream.KeyValue{}
	for _, name := range secretBuckets {
		kv, err := l.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: name, Storage: jetstream.FileStorage, Replicas: l.cfg.Replicas, History: 1, MaxValueSize: 64 << 10,
			TTL: bucketTTL[name],
		})
		if err != nil {
			return fmt.Errorf("key-value bucket %s: %w", name, err)
		}
		l.buckets[name] = kv
	}
	l.keys = &keyring{kv: l.buckets[bucketKeys], cache: map[string][]byte{}}
	l.keys.get = func(ctx context.Context, key string) ([]byte, error) {
		v, _, err := l.getKV(ctx, l.keys.kv, bucketKeys, key)
		return v, err
	}
	return nil
}

func (l *Log) bucket(name string) (jetstream.KeyValue, error) {
	kv, ok := l.buckets[name]
	if !ok || name == bucketKeys {
		return nil, fmt.Errorf("no secret bucket %q", name)
	}
	return kv, nil
}

// GetSecret reads a JSON value; found is false if there is none.
func (l *Log) GetSecret(ctx context.Context, bucket, key string, v any) (bool, error) {
	kv, err := l.bucket(bucket)
	if err != nil {
		return false, err
	}
	value, _, err := l.getKV(ctx, kv, bucket, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get %s/%s: %w", bucket, key, unavailable(ctx, err))
	}
	if err := json.Unmarshal(value, v); err != nil {
		return false, fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// PutSecret writes a JSON value.
func (l *Log) PutSecret(ctx context.Context, bucket, key string, v any) error {
	kv, err := l.bucket(bucket)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("put %s/%s: %w", bucket, key, err)
	}
	return nil
}

// TakeSecret reads and deletes a value in one step: of two concurrent
// takers, only one gets it (one-time links).
func (l *Log) TakeSecret(ctx context.Context, bucket, key string, v any) (bool, error) {
	kv, err := l.bucket(bucket)
	if err != nil {
		return false, err
	}
	value, revision, err := l.getKV(ctx, kv, bucket, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get %s/%s: %w", bucket, key, unavailable(ctx, err))
	}
	if err := kv.Purge(ctx, key, jetstream.LastRevision(revision)); err != nil {
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
			return false, nil
		}
		return false, fmt.Errorf("take %s/%s: %w", bucket, key, err)
	}
	if err := json.Unmarshal(value, v); err != nil {
		return false, fmt.Errorf("decode %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// DeleteSecret removes a value and its history.
func (l *Log) DeleteSecret(ctx context.Context, bucket, key string) error {
	kv, err := l.bucket(bucket)
	if err != nil {
		return err
	}
	if err := kv.Purge(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("delete %s/%s: %w", bucket, key, err)
	}
	return nil
}

// SecretKeys lists the keys that start with prefix.
func (l *Log) SecretKeys(ctx context.Context, bucket, prefix string) ([]string, error) {
	kv, err := l.bucket(bucket)
	if err != nil {
		return nil, err
	}
	lister, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", bucket, err)
	}
	defer lister.Stop()
	var out []string
	for k := range lister.Keys() {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out, nil
}

// WatchSecretDeletes calls fn with every key deleted from the bucket from
// now on, by this process or any other, until ctx ends.
func (l *Log) WatchSecretDeletes(ctx context.Context, bucket string, fn func(key string)) error {
	kv, err := l.bucket(bucket)
	if err != nil {
		return err
	}
	w, err := kv.WatchAll(ctx, jetstream.UpdatesOnly())
	if err != nil {
		return fmt.Errorf("watch %s: %w", bucket, err)
	}
	go func() {
		defer w.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e != nil && (e.Operation() == jetstream.KeyValueDelete || e.Operation() == jetstream.KeyValuePurge) {
					fn(e.Key())
				}
			}
		}
	}()
	return nil
}

// getKV reads the newest value of a key (jetstream.ErrKeyNotFound when it
// has none). On a replicated bucket a miss is asked again of the bucket's
// leader: a direct get may be answered by a follower that has not yet
// stored a write acknowledged a moment ago (a session just made on another
// replica, a person's key just created), and a miss taken for true would
// log people out or read a name as erased for good in the read models.
func (l *Log) getKV(ctx context.Context, kv jetstream.KeyValue, bucket, key string) ([]byte, uint64, error) {
	e, err := kv.Get(ctx, key)
	if err == nil {
		return e.Value(), e.Revision(), nil
	}
	if !errors.Is(err, jetstream.ErrKeyNotFound) || l.cfg.Replicas <= 1 {
		return nil, 0, err
	}
	req, _ := json.Marshal(map[string]string{"last_by_subj": "$KV." + bucket + "." + key})
	cancel := context.CancelFunc(func() {})
	if _, ok := ctx.Deadline(); !ok {
		ctx, cancel = context.WithTimeout(ctx, l.js.Options().DefaultTimeout)
	}
	defer cancel()
	res, err := l.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+bucket, req)
	if err != nil {
		return nil, 0, err
	}
	var answer struct {
		Error   *jetstream.APIError `json:"error"`
		Message *struct {
			Seq  uint64 `json:"seq"`
			Hdrs []byte `json:"hdrs"`
			Data []byte `json:"data"`
		} `json:"message"`
	}
	if err := json.Unmarshal(res.Data, &answer); err != nil {
		return nil, 0, fmt.Errorf("leader read of %s/%s: %w", bucket, key, err)
	}
	switch {
	case answer.Error != nil && answer.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
		return nil, 0, jetstream.ErrKeyNotFound
	case answer.Error != nil:
		return nil, 0, answer.Error
	case answer.Message == nil || bytes.Contains(answer.Message.Hdrs, []byte("KV-Operation")):
		return nil, 0, jetstream.ErrKeyNotFound // deleted or purged
	}
	return answer.Message.Data, answer.Message.Seq, nil
}
