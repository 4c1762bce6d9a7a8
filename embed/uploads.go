package embed

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Photos of flip charts live in a JetStream object store beside the log;
// the log's events carry only an object's name. Objects are named by the
// digest of their (checked, re-encoded) bytes, so storing one twice is
// harmless.
const bucketUploads = "LB_UPLOADS"

// MaxUploadObject bounds what the store takes (the web checks far less).
const MaxUploadObject = 16 << 20

func (l *Log) uploadStore(ctx context.Context) (jetstream.ObjectStore, error) {
	l.uploadsMu.Lock()
	defer l.uploadsMu.Unlock()
	if l.uploads != nil {
		return l.uploads, nil
	}
	os, err := l.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: bucketUploads, Storage: jetstream.FileStorage, Replicas: l.cfg.Replicas,
		MaxBytes:    8 << 30,
		Description: "Logbuch uploads: photos of flip charts on event walls (checked and re-encoded images)",
	})
	if err != nil {
		return nil, fmt.Errorf("upload store: %w", err)
	}
	l.uploads = os
	return os, nil
}

// PutUpload stores an object under its name with its content type.
func (l *Log) PutUpload(ctx context.Context, name, contentType string, data []byte) error {
	if len(data) > MaxUploadObject {
		return fmt.Errorf("upload %s: %d bytes is too large", name, len(data))
	}
	os, err := l.uploadStore(ctx)
	if err != nil {
		return err
	}
	_, err = os.Put(ctx, jetstream.ObjectMeta{Name: name, Headers: map[string][]string{"Content-Type": {contentType}}}, bytes.NewReader(data))
	return err
}

// ErrNoUpload is returned for an object that is not in the store.
var ErrNoUpload = errors.New("no such upload")

// GetUpload returns an object and its content type.
func (l *Log) GetUpload(ctx context.Context, name string) ([]byte, string, error) {
	os, err := l.uploadStore(ctx)
	if err != nil {
		return nil, "", err
	}
	res, err := os.Get(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, "", ErrNoUpload
	}
	if err != nil {
		return nil, "", err
	}
	defer res.Close()
	info, err := res.Info()
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(res); err != nil {
		return nil, "", err
	}
	ct := ""
	if info.Headers != nil {
		ct = info.Headers.Get("Content-Type")
	}
	return buf.Bytes(), ct, nil
}

// UploadNames lists the stored objects (for operators and tests).
func (l *Log) UploadNames(ctx context.Context) ([]string, error) {
	os, err := l.uploadStore(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := os.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, i := range infos {
		if !i.Deleted {
			out = append(out, i.Name)
		}
	}
	return out, nil
}
