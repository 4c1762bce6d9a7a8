package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strings"

	"logbuch/domain"
	"logbuch/projections"
)

// Photos of flip charts. An upload is checked before anything is stored:
// its size, its type by its content (PNG or JPEG, whatever it claims), its
// dimensions from the header before decoding (a small file can unpack to
// gigabytes), and then it is decoded and encoded again, which drops
// whatever else it carried (EXIF with a location, comments, scripts in
// disguise). Only the re-encoded image is stored, under the digest of its
// bytes; the post's event names that object.

// Uploads is the object store of photos (the embedded JetStream's
// LB_UPLOADS).
type Uploads interface {
	PutUpload(ctx context.Context, name, contentType string, data []byte) error
	GetUpload(ctx context.Context, name string) ([]byte, string, error)
}

// uploadField is the form field of a post's photo.
const uploadField = "photo"

// Limits of photos.
const (
	maxPhotoBytes  = 5 << 20    // 5 MiB as uploaded
	maxPhotoPixels = 40_000_000 // 40 megapixels
	maxPhotoSide   = 20_000
)

// checkedPhoto is an image that passed the checks, re-encoded.
type checkedPhoto struct {
	Name        string
	ContentType string
	Data        []byte
}

// checkPhoto refuses what is not a plain PNG or JPEG photo of sane size,
// and re-encodes the rest.
func checkPhoto(data []byte) (checkedPhoto, error) {
	if len(data) > maxPhotoBytes {
		return checkedPhoto{}, domain.FieldError("photo", "err.upload.too_big")
	}
	sniffed := http.DetectContentType(data)
	if sniffed != "image/png" && sniffed != "image/jpeg" {
		return checkedPhoto{}, domain.FieldError("photo", "err.upload.not_png_or_jpeg")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != sniffed {
		return checkedPhoto{}, domain.FieldError("photo", "err.upload.damaged")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPhotoSide || cfg.Height > maxPhotoSide || cfg.Width*cfg.Height > maxPhotoPixels {
		return checkedPhoto{}, domain.FieldError("photo", "err.upload.too_many_pixels")
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return checkedPhoto{}, domain.FieldError("photo", "err.upload.damaged")
	}
	var out bytes.Buffer
	ext := ".jpg"
	if format == "png" {
		ext = ".png"
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 85})
	}
	if err != nil {
		return checkedPhoto{}, domain.FieldError("photo", "err.upload.not_processed")
	}
	sum := sha256.Sum256(out.Bytes())
	return checkedPhoto{Name: hex.EncodeToString(sum[:]) + ext, ContentType: sniffed, Data: out.Bytes()}, nil
}

// attachPhoto checks the photo of a post, if one was sent, and stores it
// once the post itself is known to be valid: a refused post stores nothing.
func (s *Server) attachPhoto(r *http.Request, c *domain.PostToWall) error {
	if r.MultipartForm == nil || len(r.MultipartForm.File[uploadField]) == 0 {
		return nil
	}
	files := r.MultipartForm.File[uploadField]
	if len(files) != 1 {
		return domain.FieldError("photo", "err.upload.one_photo")
	}
	fh := files[0]
	if fh.Size == 0 && fh.Filename == "" {
		return nil // the empty file field of a form without a photo
	}
	if s.cfg.Uploads == nil {
		return domain.Errorf(domain.ECONFLICT, "err.upload.no_store")
	}
	if fh.Size > maxPhotoBytes {
		return domain.FieldError("photo", "err.upload.too_big")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPhotoBytes+1))
	if err != nil {
		return err
	}
	photo, err := checkPhoto(data)
	if err != nil {
		return err
	}
	c.Photo = photo.Name
	// The decider's own checks first, so a post it refuses stores nothing.
	if _, err := domain.Wall.Decide(domain.Wall.Initial, *c); err != nil {
		return err
	}
	if err := s.cfg.Uploads.PutUpload(r.Context(), photo.Name, photo.ContentType, photo.Data); err != nil {
		return err
	}
	return nil
}

// handlePhoto serves a photo of a post on this event's wall, to those who
// may see the wall.
func (s *Server) handlePhoto() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		name := r.PathValue("name")
		_, posts, _, ok := s.models.Event(r.PathValue("id"))
		shown := ok && slices.ContainsFunc(posts, func(post projections.WallPostView) bool {
			return post.Photo == name && (!post.Hidden || domain.Can(p.Role, "HideWallPost") || post.Actor == p.Actor())
		})
		if !shown || s.cfg.Uploads == nil {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.upload.not_on_this_wall"))
			return
		}
		data, ct, err := s.cfg.Uploads.GetUpload(r.Context(), name)
		if err != nil {
			s.internalError(w, r, "read upload", errors.Join(err, errors.New(name)))
			return
		}
		if ct != "image/png" && ct != "image/jpeg" {
			ct = "application/octet-stream"
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, max-age=86400")
		h.Set("Content-Disposition", `inline; filename="`+strings.TrimSuffix(name[:min(12, len(name))], ".")+photoExt(ct)+`"`)
		w.Write(data)
	})
}

func photoExt(ct string) string {
	if ct == "image/png" {
		return ".png"
	}
	return ".jpg"
}
