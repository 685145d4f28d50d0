package supervise

import (
	"context"
	"database/sql"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/outbox"
)

// Register subscribes supervision to the cases outbox topics. A dispatcher
// holds one handler per prefix: an area that also needs "case.event" must
// share it through a fan-out (see FanOutTx).
func (s *Service) Register(out *outbox.Dispatcher) {
	out.HandleTx(cases.TopicLight, s.HandleLightTx)
	out.HandleTx(cases.TopicEvent, s.HandleEventTx)
}

// FanOutTx delivers a message to every handler in order, all in the outbox's
// delivery transaction, so the message's effects commit together or not at
// all; the first error stops it (the message is retried).
func FanOutTx(hs ...outbox.TxHandler) outbox.TxHandler {
	return func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
		for _, h := range hs {
			if err := h(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	}
}

// CatalogFees adapts the catalog service to FeeSource.
type CatalogFees struct{ Catalog *catalog.Service }

// Fees implements FeeSource.
func (a CatalogFees) Fees(ctx context.Context, code string, version int) ([]Fee, error) {
	it, err := a.Catalog.Guide(ctx, code, version)
	if err != nil {
		return nil, err
	}
	out := make([]Fee, 0, len(it.Fees))
	for _, f := range it.Fees {
		out = append(out, Fee{Name: f.Name, Amount: f.Amount})
	}
	return out, nil
}

// WantsEvent reports whether supervision does anything with a case event of
// kind k (cases.Service.PublishOnly): the same test its handler applies.
func WantsEvent(k cases.EventKind) bool {
	return concerns(eventMsg{Action: string(k.Action), After: string(k.After)})
}
