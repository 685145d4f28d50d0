package web

import (
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

func (s *Server) registerUsers() {
	s.page("GET /admin/users", s.usersList)
	s.page("GET /admin/users/new", s.userNew)
	s.page("POST /admin/users", s.userCreate)
	s.page("GET /admin/users/{id}", s.userEdit)
	s.page("POST /admin/users/{id}", s.userUpdate)
	s.api("GET /api/v1/users", s.apiUsers)
	s.api("POST /api/v1/users", s.apiUserCreate)
	s.api("GET /api/v1/users/{id}", s.apiUser)
	s.api("PUT /api/v1/users/{id}", s.apiUserUpdate)
	s.nav(50, "用户与角色", "/admin/users", auth.Admin)
}

type userFormData struct {
	User  auth.User
	Roles []auth.Role
	Users []auth.User
}

func (s *Server) usersList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	q := r.URL.Query()
	users, err := s.Auth.ListUsers(r.Context(), p, auth.UserFilter{Kind: q.Get("kind"), Role: auth.Role(q.Get("role")), Query: q.Get("q")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, "用户与角色", userFormData{Users: users, Roles: auth.StaffRoles})
	pg.Form = q
	s.render(w, r, http.StatusOK, "users", pg)
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "user_form", s.newPage(w, r, "新建工作人员账号", userFormData{Roles: auth.StaffRoles}))
}

func formInt(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field(name, "bad_number", "请填写有效的编号")
	}
	return n, nil
}

func formRoles(r *http.Request) []auth.Role {
	var roles []auth.Role
	for _, v := range r.PostForm["roles"] {
		roles = append(roles, auth.Role(v))
	}
	return roles
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	pg := s.newPage(w, r, "新建工作人员账号", userFormData{Roles: auth.StaffRoles})
	orgID, err1 := formInt(r, "org_id")
	hallID, err2 := formInt(r, "hall_id")
	if err := firstErr(err1, err2); err != nil {
		s.formError(w, r, "user_form", pg, err)
		return
	}
	u, err := s.Auth.CreateUser(r.Context(), p, auth.NewUser{Kind: auth.KindStaff, Login: r.PostFormValue("login"), Name: r.PostFormValue("name"),
		Password: r.PostFormValue("password"), Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"),
		OrgID: orgID, HallID: hallID, RegionCode: strings.TrimSpace(r.PostFormValue("region_code")), Roles: formRoles(r)})
	if err != nil {
		r.PostForm.Del("password")
		s.formError(w, r, "user_form", pg, err)
		return
	}
	redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), "账号已创建")
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	u, err := s.Auth.ViewUser(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, "编辑账号："+u.Name, userFormData{User: u, Roles: auth.StaffRoles})
	pg.Form = map[string][]string{"name": {u.Name}, "phone": {u.Phone}, "email": {u.Email}, "region_code": {u.RegionCode},
		"org_id": {idStr(u.OrgID)}, "hall_id": {idStr(u.HallID)}}
	for _, ro := range u.Roles {
		pg.Form["roles"] = append(pg.Form["roles"], string(ro))
	}
	if u.Disabled {
		pg.Form["disabled"] = []string{"1"}
	}
	s.render(w, r, http.StatusOK, "user_form", pg)
}

func idStr(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	u, err := s.Auth.UserByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, "编辑账号："+u.Name, userFormData{User: u, Roles: auth.StaffRoles})
	orgID, err1 := formInt(r, "org_id")
	hallID, err2 := formInt(r, "hall_id")
	if err := firstErr(err1, err2); err != nil {
		s.formError(w, r, "user_form", pg, err)
		return
	}
	_, err = s.Auth.UpdateUser(r.Context(), p, id, auth.UserUpdate{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"),
		Email: r.PostFormValue("email"), OrgID: orgID, HallID: hallID, RegionCode: strings.TrimSpace(r.PostFormValue("region_code")),
		Roles: formRoles(r), Disabled: r.PostFormValue("disabled") == "1", Password: r.PostFormValue("password")})
	if err != nil {
		r.PostForm.Del("password")
		s.formError(w, r, "user_form", pg, err)
		return
	}
	redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "已保存")
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	users, err := s.Auth.ListUsers(r.Context(), principal(r), auth.UserFilter{Kind: q.Get("kind"), Role: auth.Role(q.Get("role")), Query: q.Get("q")})
	s.reply(w, r, http.StatusOK, listOf(users), err)
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	var req auth.NewUser
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Kind == "" {
		req.Kind = auth.KindStaff
	}
	u, err := s.Auth.CreateUser(r.Context(), principal(r), req)
	s.reply(w, r, http.StatusCreated, u, err)
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	u, err := s.Auth.ViewUser(r.Context(), principal(r), id)
	s.reply(w, r, http.StatusOK, u, err)
}

func (s *Server) apiUserUpdate(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var req auth.UserUpdate
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.Auth.UpdateUser(r.Context(), principal(r), id, req)
	s.reply(w, r, http.StatusOK, u, err)
}
