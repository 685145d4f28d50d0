// Package webhook delivers outbox messages to department systems as JSON
// POSTs signed with HMAC-SHA256, so a receiver can tell that a message comes
// from banhao and was not altered. The body carries the outbox message id
// (also in X-Banhao-Delivery): delivery is at least once, and receivers
// dedupe by that id; created_at lets them refuse stale replays.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/outbox"
)

// Header names.
const (
	SignatureHeader = "X-Banhao-Signature" // "sha256=" + hex HMAC-SHA256(secret, body)
	DeliveryHeader  = "X-Banhao-Delivery"  // outbox message id
	TopicHeader     = "X-Banhao-Topic"
)

// Delivery is the JSON body POSTed to the receiver.
type Delivery struct {
	ID        int64           `json:"id"`
	Topic     string          `json:"topic"`
	CreatedAt time.Time       `json:"created_at"`
	Attempt   int             `json:"attempt"`
	Payload   json.RawMessage `json:"payload"`
}

// Sign returns the signature header value of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is the signature of body, in constant time.
// Receivers written in Go (and tests) use it.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(strings.TrimSpace(header)))
}

// Handler returns an outbox handler POSTing to url with a 10 s timeout.
// Register it with dispatcher.Handle("webhook.<system>", …).
func Handler(url, secret string) outbox.Handler {
	return NewHandler(&http.Client{Timeout: 10 * time.Second}, url, secret)
}

// NewHandler is Handler with a caller-supplied client.
func NewHandler(client *http.Client, url, secret string) outbox.Handler {
	return func(ctx context.Context, m outbox.Message) error {
		payload := m.Payload
		if len(payload) == 0 {
			payload = json.RawMessage("null")
		}
		body, err := json.Marshal(Delivery{ID: m.ID, Topic: m.Topic, CreatedAt: m.CreatedAt.UTC(), Attempt: m.Attempt, Payload: payload})
		if err != nil {
			return fmt.Errorf("webhook %d: marshal: %w", m.ID, err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("webhook %d: %w", m.ID, err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "banhao-webhook")
		req.Header.Set(SignatureHeader, Sign(secret, body))
		req.Header.Set(DeliveryHeader, strconv.FormatInt(m.ID, 10))
		req.Header.Set(TopicHeader, m.Topic)
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("webhook %d: %w", m.ID, err)
		}
		defer resp.Body.Close()
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return fmt.Errorf("webhook %d: receiver answered %s: %s", m.ID, resp.Status, strings.ToValidUTF8(string(snippet), ""))
		}
		return nil
	}
}
