package web

import (
	"net/http"
	"strconv"

	"banhao.dev/banhao/internal/platform/auth"
)

func (s *Server) registerHome() {
	s.page("GET /{$}", s.home)
	s.page("GET /my", s.myHome)
	s.page("GET /workbench", s.workbench)
	s.page("GET /account", s.account)
	s.page("POST /account/tokens", s.accountTokenCreate)
	s.page("POST /account/tokens/{id}/revoke", s.accountTokenRevoke)
	s.api("GET /api/v1/tokens", s.apiTokens)
	s.api("POST /api/v1/tokens", s.apiTokenCreate)
	s.api("DELETE /api/v1/tokens/{id}", s.apiTokenRevoke)

	s.nav(0, "首页", "/")
	s.nav(90, "登录", "/login")
	s.nav(91, "注册", "/register")
	s.nav(0, "我的办事", "/my", auth.Applicant)
	s.nav(0, "工作台", "/workbench", auth.StaffRoles...)
	s.nav(99, "账号与令牌", "/account", auth.Roles...)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", s.newPage(w, r, "首页", s.homeData(r)))
}

// requirePage returns the principal or renders the 401/403 page.
func (s *Server) requirePage(w http.ResponseWriter, r *http.Request, roles ...auth.Role) (*auth.Principal, bool) {
	p := principal(r)
	if err := auth.Require(p, roles...); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return p, true
}

func (s *Server) myHome(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Applicant); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "my", s.newPage(w, r, "我的办事", nil))
}

// workbenchCard is a tile on a staff member's workbench.
type workbenchCard struct {
	Title, Text, Href string
}

func (s *Server) workbench(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.StaffRoles...)
	if !ok {
		return
	}
	var cards []workbenchCard
	for _, n := range s.navFor(p) {
		if n.Href == "/workbench" || n.Href == "/account" {
			continue
		}
		cards = append(cards, workbenchCard{Title: n.Label, Href: n.Href})
	}
	s.render(w, r, http.StatusOK, "workbench", s.newPage(w, r, "工作台", cards))
}

type accountData struct {
	User     auth.User
	Tokens   []auth.Token
	NewToken string
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	s.renderAccount(w, r, p, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, p *auth.Principal, newToken string) {
	u, err := s.Auth.UserByID(r.Context(), p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	toks, err := s.Auth.ListTokens(r.Context(), p, p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "account", s.newPage(w, r, "账号与令牌", accountData{User: u, Tokens: toks, NewToken: newToken}))
}

func (s *Server) accountTokenCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	secret, _, err := s.Auth.CreateToken(r.Context(), p, p.Login, r.PostFormValue("name"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The secret is shown once, on this response, and never stored in clear.
	s.renderAccount(w, r, p, secret)
}

func (s *Server) accountTokenRevoke(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.Auth.RevokeToken(r.Context(), p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/account", "令牌已撤销")
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	toks, err := s.Auth.ListTokens(r.Context(), p, p.UserID)
	s.reply(w, r, http.StatusOK, listOf(toks), err)
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	var req struct {
		Name  string `json:"name"`
		Login string `json:"login"`
	}
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Login == "" {
		req.Login = p.Login
	}
	secret, t, err := s.Auth.CreateToken(r.Context(), p, req.Login, req.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "id": t.ID, "name": t.Name, "created_at": t.CreatedAt})
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, auth.ErrTokenNotFound)
		return
	}
	if err := s.Auth.RevokeToken(r.Context(), principal(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
