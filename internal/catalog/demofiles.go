package catalog

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// Demo templates and filled samples are small real .docx files generated
// from their names, byte-for-byte reproducible (fixed zip timestamps), so a
// material refers to them by SHA-256 like any uploaded blob and no binary is
// committed. The web layer serves them from DemoFiles.

// DemoFileData is one generated file.
type DemoFileData struct {
	File
	Data []byte
}

const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// DemoFiles returns every template and sample the demo catalog refers to, by hash.
func DemoFiles() map[string]DemoFileData {
	out := map[string]DemoFileData{}
	items, err := DemoItems()
	if err != nil {
		return out
	}
	for _, it := range items {
		for _, m := range it.Materials {
			for _, f := range []*File{m.Template, m.Sample} {
				if f != nil {
					data := demoDocx(f.Name)
					out[f.Hash] = DemoFileData{File: *f, Data: data}
				}
			}
		}
	}
	return out
}

func demoFileRef(f *File) *File {
	if f == nil || f.Name == "" {
		return nil
	}
	if f.Hash != "" {
		return f
	}
	sum := sha256.Sum256(demoDocx(f.Name))
	return &File{Name: f.Name, Hash: hex.EncodeToString(sum[:]), ContentType: docxType}
}

// demoFields are the rows of a generated form, with the sample's values.
var demoFields = [][2]string{
	{"申请人（单位）名称", "示范县好运来餐饮有限公司"},
	{"统一社会信用代码／公民身份号码", "91990121MA0000001X"},
	{"法定代表人（负责人）", "张三"},
	{"联系电话", "13900000000"},
	{"住所（地址）", "示范县城关镇人民路88号"},
	{"申请事项", ""},
	{"申请内容及理由", "按照办事指南要求申请办理，所附材料真实有效。"},
	{"申请人签字（盖章）", "张三"},
	{"日期", "2025年3月3日"},
}

func demoDocx(name string) []byte {
	title := strings.TrimSuffix(name, ".docx")
	sample := strings.Contains(title, "样表") || strings.Contains(title, "示例")
	form := strings.TrimSuffix(strings.TrimSuffix(title, "（样表）"), "（示例）")
	var body strings.Builder
	para := func(text string, bold bool, size int) {
		body.WriteString(`<w:p><w:pPr><w:jc w:val="` + map[bool]string{true: "center", false: "left"}[size > 24] + `"/></w:pPr><w:r><w:rPr>`)
		if bold {
			body.WriteString(`<w:b/>`)
		}
		body.WriteString(`<w:sz w:val="` + strconv.Itoa(size) + `"/></w:rPr><w:t xml:space="preserve">` + esc(text) + `</w:t></w:r></w:p>`)
	}
	para(form, true, 36)
	if sample {
		para("（填写示例，仅供参考）", false, 21)
	} else {
		para("填表说明：请用黑色签字笔或钢笔填写，字迹工整；不适用的栏目填写“无”。", false, 21)
	}
	body.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="9000" w:type="dxa"/><w:tblBorders>` +
		`<w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/>` +
		`<w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>`)
	for _, f := range demoFields {
		v := ""
		if sample {
			v = f[1]
			if f[0] == "申请事项" {
				v = form
			}
		}
		body.WriteString(`<w:tr><w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>` + esc(f[0]) +
			`</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="6000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t xml:space="preserve">` + esc(v) + `</w:t></w:r></w:p></w:tc></w:tr>`)
	}
	body.WriteString(`</w:tbl>`)
	para("示范县政务服务中心 咨询电话：0999-12345", false, 18)
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`
	files := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", doc},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fixed := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: zip.Deflate, Modified: fixed})
		if err != nil {
			return nil
		}
		_, _ = w.Write([]byte(f[1]))
	}
	_ = zw.Close()
	return buf.Bytes()
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
