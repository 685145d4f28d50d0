package web

import (
	"net/http"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

func (s *Server) registerAuth() {
	s.page("GET /login", s.loginForm)
	s.page("POST /login", s.loginSubmit)
	s.page("POST /logout", s.logout)
	s.page("GET /register", s.registerForm)
	s.page("POST /register", s.registerSubmit)
	s.page("POST /prefs/elderly", s.toggleElderly)
	s.api("POST /api/v1/register", s.apiRegister)
	s.api("GET /api/v1/me", s.apiMe)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(w, r, "登录", nil)
	pg.Form = map[string][]string{"next": {safeNext(r.URL.Query().Get("next"))}}
	s.render(w, r, http.StatusOK, "login", pg)
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(w, r, "登录", nil)
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	var fe errs.Fields
	if login == "" {
		fe.Add("login", "请输入账号")
	}
	if password == "" {
		fe.Add("password", "请输入密码")
	}
	if err := fe.Err(); err != nil {
		s.formError(w, r, "login", pg, err)
		return
	}
	sess, err := s.Auth.Login(r.Context(), login, password, clientIP(r))
	if err != nil {
		r.PostForm.Del("password")
		s.formError(w, r, "login", pg, err)
		return
	}
	s.setSessionCookie(w, sess)
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = homeFor(sess.Principal)
	}
	redirect(w, r, next, "")
}

func (s *Server) setSessionCookie(w http.ResponseWriter, sess auth.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookie})
}

// homeFor is where a user lands after login.
func homeFor(p *auth.Principal) string {
	if p.Kind != auth.KindStaff {
		return "/my"
	}
	return "/workbench"
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess := session(r); sess != nil {
		if err := s.Auth.Logout(r.Context(), sess.Token); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookie})
	redirect(w, r, "/", "您已安全退出")
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(w, r, "用户注册", nil)
	kind := r.URL.Query().Get("kind")
	if kind != auth.KindEnterprise {
		kind = auth.KindPerson
	}
	pg.Form = map[string][]string{"kind": {kind}}
	s.render(w, r, http.StatusOK, "register", pg)
}

func registrationFrom(r *http.Request) auth.NewUser {
	return auth.NewUser{
		Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"), IDNumber: r.PostFormValue("id_number"),
		Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password"), LegalRep: r.PostFormValue("legal_rep"),
		Contact: r.PostFormValue("contact"), Email: r.PostFormValue("email"),
	}
}

func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(w, r, "用户注册", nil)
	u := registrationFrom(r)
	if u.Password != r.PostFormValue("password2") {
		r.PostForm.Del("password")
		r.PostForm.Del("password2")
		s.formError(w, r, "register", pg, errs.Field("password2", "password_mismatch", "两次输入的密码不一致"))
		return
	}
	if _, err := s.Auth.Register(r.Context(), u); err != nil {
		r.PostForm.Del("password")
		r.PostForm.Del("password2")
		s.formError(w, r, "register", pg, err)
		return
	}
	sess, err := s.Auth.Login(r.Context(), strings.ToUpper(strings.TrimSpace(u.IDNumber)), u.Password, clientIP(r))
	if err != nil {
		redirect(w, r, "/login", "注册成功，请登录")
		return
	}
	s.setSessionCookie(w, sess)
	redirect(w, r, "/my", "注册成功，欢迎使用")
}

// toggleElderly switches the large-font, high-contrast mode (适老化). It is a
// plain form so it works without JavaScript; the choice sticks in a cookie
// and, when logged in, on the account.
func (s *Server) toggleElderly(w http.ResponseWriter, r *http.Request) {
	on := r.PostFormValue("on") == "1"
	v := "0"
	if on {
		v = "1"
	}
	http.SetCookie(w, &http.Cookie{Name: elderlyCookie, Value: v, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookie})
	if p := principal(r); p != nil {
		if err := s.Auth.SetElderlyMode(r.Context(), p.UserID, on); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

type registerRequest struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Password string `json:"password"`
	LegalRep string `json:"legal_rep"`
	Contact  string `json:"contact"`
	Email    string `json:"email"`
}

func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.Auth.Register(r.Context(), auth.NewUser{Kind: req.Kind, Name: req.Name, IDNumber: req.IDNumber, Phone: req.Phone,
		Password: req.Password, LegalRep: req.LegalRep, Contact: req.Contact, Email: req.Email})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.Auth.UserByID(r.Context(), p.UserID)
	s.reply(w, r, http.StatusOK, u, err)
}
