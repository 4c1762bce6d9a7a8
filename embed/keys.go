package embed

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
)

// Personal fields are sealed with AES-256-GCM under a key per person. The
// keys live in a key-value bucket beside the stream, never in it: erasing a
// key makes every sealed field of that person unreadable, in the live
// stream and in every backup of it, without rewriting history.

const (
	bucketKeys   = "LB_KEYS"
	sealedPrefix = "enc1:"
)

type keyring struct {
	kv    jetstream.KeyValue
	get   func(ctx context.Context, key string) ([]byte, error) // reads through Log.getKV
	mu    sync.Mutex
	cache map[string][]byte
}

// key returns the person's key; with create it makes one if there is none.
// A missing key without create is (nil, nil): the person was erased.
func (k *keyring) key(ctx context.Context, person string, create bool) ([]byte, error) {
	k.mu.Lock()
	key, ok := k.cache[person]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	value, err := k.get(ctx, person)
	switch {
	case err == nil:
		key = value
	case errors.Is(err, jetstream.ErrKeyNotFound):
		if !create {
			return nil, nil
		}
		key = make([]byte, 32)
		rand.Read(key)
		if _, err := k.kv.Create(ctx, person, key); err != nil {
			if !errors.Is(err, jetstream.ErrKeyExists) {
				return nil, fmt.Errorf("create key of %s: %w", person, err)
			}
			// Another writer created it first (or an earlier attempt of
			// ours landed after its timeout): use theirs. A node that has
			// not applied the create yet may still answer "not found":
			// ask again briefly, then tell the caller to retry.
			value, err := k.get(ctx, person)
			for i := 0; errors.Is(err, jetstream.ErrKeyNotFound) && i < 10 && ctx.Err() == nil; i++ {
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
				value, err = k.get(ctx, person)
			}
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				err = fmt.Errorf("%w (the key exists but no node answered it yet)", errBusy)
			}
			if err != nil {
				return nil, fmt.Errorf("read key of %s: %w", person, unavailable(ctx, err))
			}
			key = value
		}
	default:
		return nil, fmt.Errorf("read key of %s: %w", person, unavailable(ctx, err))
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("key of %s has %d bytes", person, len(key))
	}
	k.mu.Lock()
	k.cache[person] = key
	k.mu.Unlock()
	return key, nil
}

func (k *keyring) erase(ctx context.Context, person string) error {
	k.mu.Lock()
	delete(k.cache, person)
	k.mu.Unlock()
	if err := k.kv.Purge(ctx, person); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("erase key of %s: %w", person, err)
	}
	return nil
}

// seal returns the events with their personal fields encrypted.
func (k *keyring) seal(ctx context.Context, subject string, events []domain.Event) ([]domain.Event, error) {
	out := make([]domain.Event, len(events))
	for i, e := range events {
		out[i] = e
		p, ok := e.Data.(domain.Personal)
		if !ok {
			continue
		}
		owner := domain.PersonalOwner(subject, e)
		if owner == "" {
			// Staff are named through the roster; nothing of theirs to seal.
			continue
		}
		key, err := k.key(ctx, owner, true)
		if err != nil {
			return nil, err
		}
		gcm := newGCM(key)
		out[i].Data = p.MapPersonal(func(field, value string) string {
			if value == "" {
				return ""
			}
			nonce := make([]byte, gcm.NonceSize())
			rand.Read(nonce)
			return sealedPrefix + base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(value), []byte(owner+"/"+field)))
		})
	}
	return out, nil
}

// open decrypts personal fields in place; a field whose key is gone reads as
// erased.
func (k *keyring) open(ctx context.Context, subject string, events []domain.Event) error {
	for i, e := range events {
		p, ok := e.Data.(domain.Personal)
		if !ok {
			continue
		}
		owner := domain.PersonalOwner(subject, e)
		var key []byte
		if owner != "" { // sealed fields elsewhere cannot be opened: they read as erased
			var err error
			if key, err = k.key(ctx, owner, false); err != nil {
				return err
			}
		}
		var gcm cipher.AEAD
		if key != nil {
			gcm = newGCM(key)
		}
		events[i].Data = p.MapPersonal(func(field, value string) string {
			sealed, ok := strings.CutPrefix(value, sealedPrefix)
			if !ok {
				return value
			}
			if gcm == nil {
				return domain.Erased(field)
			}
			raw, err := base64.RawURLEncoding.DecodeString(sealed)
			if err != nil || len(raw) < gcm.NonceSize() {
				return domain.Erased(field)
			}
			plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte(owner+"/"+field))
			if err != nil {
				return domain.Erased(field)
			}
			return string(plain)
		})
	}
	return nil
}

func newGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // the key length is checked when it is read
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return gcm
}

// SealField seals one personal field of a person (for snapshots).
func (l *Log) SealField(ctx context.Context, person, field, value string) (string, error) {
	key, err := l.keys.key(ctx, person, true)
	if err != nil {
		return "", err
	}
	gcm := newGCM(key)
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(value), []byte(person+"/"+field))), nil
}

// OpenField opens a field sealed by SealField; it reads as erased when the
// person's key is gone.
func (l *Log) OpenField(ctx context.Context, person, field, value string) (string, error) {
	sealed, ok := strings.CutPrefix(value, sealedPrefix)
	if !ok {
		return value, nil
	}
	key, err := l.keys.key(ctx, person, false)
	if err != nil {
		return "", err
	}
	if key == nil {
		return domain.Erased(field), nil
	}
	gcm := newGCM(key)
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < gcm.NonceSize() {
		return domain.Erased(field), nil
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte(person+"/"+field))
	if err != nil {
		return domain.Erased(field), nil
	}
	return string(plain), nil
}

// ErasePersonalData deletes the person's key: from now on their personal
// fields read as erased everywhere.
func (l *Log) ErasePersonalData(ctx context.Context, person string) error {
	return l.keys.erase(ctx, person)
}
