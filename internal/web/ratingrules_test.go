package web

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/ratings"
)

// validRatingRulesForm is a valid form for region with window days; edit changes it.
func validRatingRulesForm(region, window string, edit func(url.Values)) url.Values {
	f := url.Values{"region_code": {region}, "stages": {"accept", "conclude"}, "window_days": {window},
		"callback_days": {"2"}, "rectify_days": {"10"}, "complaint_days": {"5"}, "op": {"save"}}
	if edit != nil {
		edit(f)
	}
	return f
}

func TestRatingRulesPage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx := context.Background()
		e.mustUser("sup", "990121", auth.Supervisor)
		e.mustUser("citysup", "990100", auth.Supervisor)
		e.mustUser("eastsup", "990122", auth.Supervisor)
		e.mustUser("clk", "990121", auth.Clerk)
		const page = "/supervise/rating-rules"
		rulesOf := func(code string) ratings.Rules {
			t.Helper()
			r, err := e.Srv.Ratings.RulesFor(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		b := e.browser()
		b.login("sup", "Passw0rd!")

		t.Run("the page shows the defaults in force and the form filled with them", func(t *testing.T) {
			status, body := b.get(page)
			if status != http.StatusOK || !strings.Contains(body, `id="rules-source">默认规则`) || !strings.Contains(body, `name="window_days" inputmode="numeric" size="4" value="5"`) {
				t.Fatalf("got %d %s, want the defaults", status, firstLine(body, "rules-in-force"))
			}
		})
		t.Run("removing rules a region does not set is refused", func(t *testing.T) {
			status, body, _ := b.post(page, page, url.Values{"region_code": {"990121"}, "op": {"remove"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="region_code-error">该地区没有单独设置的评价规则`) {
				t.Fatalf("got %d %s", status, firstLine(body, "form-error"))
			}
		})
		t.Run("a valid form saves the county's rules", func(t *testing.T) {
			status, body, path := b.post(page, page, validRatingRulesForm("990121", "8", func(f url.Values) { f.Set("default_satisfied", "1") }))
			if status != http.StatusOK || path != page || !strings.Contains(body, "已保存 990121 的评价规则") {
				t.Fatalf("got %d at %s: %s", status, path, firstLine(body, "form-error"))
			}
			got := rulesOf("990121")
			want := ratings.Rules{RegionCode: "990121", Stages: []ratings.Stage{ratings.StageAccept, ratings.StageConclude}, WindowDays: 8,
				DefaultSatisfied: true, CallbackDays: 2, RectifyDays: 10, ComplaintDays: 5}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			if !strings.Contains(body, `id="rules-source">本地区单独设置`) || !strings.Contains(body, "<td>示范县（990121）</td>") {
				t.Fatalf("saved rules not shown: %s", firstLine(body, "rating-rules"))
			}
		})
		saved := rulesOf("990121")

		bad := []struct {
			name   string
			form   url.Values
			status int
			field  string // "" for a form-level error
			msg    string
		}{
			{"a window that is not a number is rejected", validRatingRulesForm("990121", "五", nil), 422, "window_days", "请填写整数（工作日数）"},
			{"an empty window is rejected", validRatingRulesForm("990121", "", nil), 422, "window_days", "请填写整数（工作日数）"},
			{"a zero window is rejected", validRatingRulesForm("990121", "0", nil), 422, "window_days", "须在 1 至 60 个工作日之间"},
			{"a window over 60 days is rejected", validRatingRulesForm("990121", "61", nil), 422, "window_days", "须在 1 至 60 个工作日之间"},
			{"a callback limit over 30 days is rejected", validRatingRulesForm("990121", "5", func(f url.Values) { f.Set("callback_days", "31") }), 422, "callback_days", "须在 1 至 30 个工作日之间"},
			{"a rectification limit over 90 days is rejected", validRatingRulesForm("990121", "5", func(f url.Values) { f.Set("rectify_days", "91") }), 422, "rectify_days", "须在 1 至 90 个工作日之间"},
			{"a zero complaint limit is rejected", validRatingRulesForm("990121", "5", func(f url.Values) { f.Set("complaint_days", "0") }), 422, "complaint_days", "须在 1 至 60 个工作日之间"},
			{"no rateable stage is rejected", validRatingRulesForm("990121", "5", func(f url.Values) { f.Del("stages") }), 422, "stages", "至少选择一个可评价环节"},
			{"an unknown stage is rejected", validRatingRulesForm("990121", "5", func(f url.Values) { f["stages"] = []string{"later"} }), 422, "stages", "可评价环节须为 accept（受理后）或 conclude（办结后）"},
			{"a malformed region code is rejected", validRatingRulesForm("99012", "5", nil), 422, "region_code", "区划代码格式不正确"},
			{"an unknown region is rejected", validRatingRulesForm("990123", "5", nil), 422, "region_code", "区划代码 990123 不存在"},
			{"another county is refused", validRatingRulesForm("990122", "5", nil), 403, "", "该记录不在您的管辖范围内"},
			{"removing another county's rules is refused", url.Values{"region_code": {"990122"}, "op": {"remove"}}, 403, "", "该记录不在您的管辖范围内"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				status, body, _ := b.post(page, page, c.form)
				want := `id="form-error">` + c.msg
				if c.field != "" {
					want = `id="` + c.field + `-error">` + c.msg
					if !strings.Contains(body, `aria-describedby="`+c.field+`-error"`) {
						t.Errorf("the %s input is not marked invalid", c.field)
					}
				}
				if status != c.status || !strings.Contains(body, want) {
					t.Fatalf("got %d %s, want %d with %q", status, firstLine(body, "form-error"), c.status, want)
				}
				if got := rulesOf("990121"); !reflect.DeepEqual(got, saved) {
					t.Fatalf("rules changed to %+v, want %+v", got, saved)
				}
				if got := rulesOf("990122"); got.RegionCode != "" {
					t.Fatalf("东山县 got rules %+v, want the defaults", got)
				}
			})
		}

		t.Run("a clerk is forbidden to open or post the page", func(t *testing.T) {
			c := e.browser()
			c.login("clk", "Passw0rd!")
			if status, _ := c.get(page); status != http.StatusForbidden {
				t.Fatalf("GET: got %d, want 403", status)
			}
			if status, _, _ := c.post("/", page, validRatingRulesForm("990121", "9", nil)); status != http.StatusForbidden {
				t.Fatalf("POST: got %d, want 403", status)
			}
			if got := rulesOf("990121"); !reflect.DeepEqual(got, saved) {
				t.Fatalf("rules changed to %+v, want %+v", got, saved)
			}
		})
		t.Run("a city supervisor sees the county below and may edit it", func(t *testing.T) {
			c := e.browser()
			c.login("citysup", "Passw0rd!")
			status, body := c.get(page + "?region=990121")
			if status != http.StatusOK || !strings.Contains(body, "<td>示范县（990121）</td>") || !strings.Contains(body, `name="window_days" inputmode="numeric" size="4" value="8"`) {
				t.Fatalf("got %d %s", status, firstLine(body, "rating-rules"))
			}
		})
		t.Run("another county's supervisor does not see the county's rules", func(t *testing.T) {
			c := e.browser()
			c.login("eastsup", "Passw0rd!")
			status, body := c.get(page)
			if status != http.StatusOK || strings.Contains(body, "示范县（990121）") || !strings.Contains(body, "管辖范围内尚无地区单独设置") {
				t.Fatalf("got %d %s", status, firstLine(body, "rating-rules"))
			}
		})
		t.Run("removing the county's rules restores the defaults", func(t *testing.T) {
			status, body, _ := b.post(page, page, url.Values{"region_code": {"990121"}, "op": {"remove"}})
			if status != http.StatusOK || !strings.Contains(body, "已删除 990121 单独设置的评价规则") {
				t.Fatalf("got %d %s", status, firstLine(body, "form-error"))
			}
			if got := rulesOf("990121"); got.RegionCode != "" || got.WindowDays != ratings.DefaultRules().WindowDays {
				t.Fatalf("got %+v, want the defaults", got)
			}
		})
	})
}
