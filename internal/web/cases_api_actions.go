package web

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// caseAction runs one action of POST /api/v1/cases/{no}/actions/{action}:
// it decodes its own request body (with decodeBody) and calls the service.
type caseAction func(s *Server, r *http.Request, p *auth.Principal, no string) (*cases.Case, error)

// withBody decodes the action's request into a fresh T and calls fn.
func withBody[T any](fn func(s *Server, ctx context.Context, p *auth.Principal, no string, req T) (*cases.Case, error)) caseAction {
	return func(s *Server, r *http.Request, p *auth.Principal, no string) (*cases.Case, error) {
		var req T
		if err := decodeBody(r, &req); err != nil {
			return nil, err
		}
		return fn(s, r.Context(), p, no, req)
	}
}

// withMaterials is withBody for requests carrying materials, whose files
// must have been uploaded first.
func withMaterials[T any](get func(T) []cases.MaterialInput, fn func(s *Server, ctx context.Context, p *auth.Principal, no string, req T) (*cases.Case, error)) caseAction {
	return withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req T) (*cases.Case, error) {
		if err := s.materialFilesExist(ctx, get(req)); err != nil {
			return nil, err
		}
		return fn(s, ctx, p, no, req)
	})
}

// submitDraftRequest is the body of the submit action (a saved draft).
type submitDraftRequest struct {
	cases.WindowRef
}

// caseActions maps every API action name to its handler. The names are the
// service's: cases.Actions lists the same set.
var caseActions = map[cases.Action]caseAction{
	cases.ActSubmit: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req submitDraftRequest) (*cases.Case, error) {
		return s.Cases.SubmitDraft(ctx, p, no, req.WindowID)
	}),
	cases.ActAccept: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.AcceptRequest) (*cases.Case, error) {
		return s.Cases.Accept(ctx, p, no, req)
	}),
	cases.ActRequestCorrection: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.CorrectionRequest) (*cases.Case, error) {
		return s.Cases.RequestCorrection(ctx, p, no, req)
	}),
	cases.ActResubmit: withMaterials(func(r cases.ResubmitRequest) []cases.MaterialInput { return r.Materials },
		func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.ResubmitRequest) (*cases.Case, error) {
			return s.Cases.Resubmit(ctx, p, no, req)
		}),
	cases.ActRefuse: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.RefuseRequest) (*cases.Case, error) {
		return s.Cases.Refuse(ctx, p, no, req)
	}),
	cases.ActAcceptWithPending: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.PendingRequest) (*cases.Case, error) {
		return s.Cases.AcceptWithPending(ctx, p, no, req)
	}),
	cases.ActSupplyPending: withMaterials(func(r cases.SupplyRequest) []cases.MaterialInput { return r.Materials },
		func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.SupplyRequest) (*cases.Case, error) {
			return s.Cases.SupplyPending(ctx, p, no, req)
		}),
	cases.ActDecideOnSpot: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.DecideRequest) (*cases.Case, error) {
		return s.Cases.DecideOnSpot(ctx, p, no, req)
	}),
	cases.ActReview: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.OpinionRequest) (*cases.Case, error) {
		return s.Cases.Review(ctx, p, no, req)
	}),
	cases.ActReturn: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.OpinionRequest) (*cases.Case, error) {
		return s.Cases.Return(ctx, p, no, req)
	}),
	cases.ActDecide: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.DecideRequest) (*cases.Case, error) {
		return s.Cases.Decide(ctx, p, no, req)
	}),
	cases.ActExtend: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.ExtendRequest) (*cases.Case, error) {
		return s.Cases.Extend(ctx, p, no, req)
	}),
	cases.ActStopClock: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.StopRequest) (*cases.Case, error) {
		return s.Cases.StopClock(ctx, p, no, req)
	}),
	cases.ActResumeClock: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, _ struct{}) (*cases.Case, error) {
		return s.Cases.ResumeClock(ctx, p, no)
	}),
	cases.ActConclude: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, _ struct{}) (*cases.Case, error) {
		return s.Cases.Conclude(ctx, p, no)
	}),
	cases.ActDeliver: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.DeliverRequest) (*cases.Case, error) {
		return s.Cases.Deliver(ctx, p, no, req)
	}),
	cases.ActWithdraw: withBody(func(s *Server, ctx context.Context, p *auth.Principal, no string, req cases.WithdrawRequest) (*cases.Case, error) {
		return s.Cases.Withdraw(ctx, p, no, req)
	}),
}

func (s *Server) apiCaseAction(w http.ResponseWriter, r *http.Request) {
	act, ok := caseActions[cases.Action(r.PathValue("action"))]
	if !ok {
		s.fail(w, r, ErrActionUnknown.Withf("“%s”", clipStr(r.PathValue("action"), 40)).With("actions", cases.Actions))
		return
	}
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := act(s, r, p, r.PathValue("no"))
	s.reply(w, r, http.StatusOK, hidePickupCode(p, c), err)
}

// decodeBody is decode for action bodies, where an empty body means {}.
func decodeBody(r *http.Request, v any) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20+1))
	if err != nil {
		return ErrBadJSON
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if len(raw) > 4<<20 {
		return errs.E(errs.Invalid, "body_too_large", "请求体过大")
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return decode(r, v)
}
