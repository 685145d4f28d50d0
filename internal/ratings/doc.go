// Package ratings is 好差评: applicants rate the service of their cases
// (国办发〔2019〕51号《关于建立政务服务“好差评”制度提高政务服务水平的意见》,
// GB/T 39734-2020 政务服务评价工作指南 and GB/T 39735-2020 政务服务评价数据汇聚规范),
// bad ratings are rectified by the responsible department (差评整改),
// departments may appeal (申诉) a malicious or mistaken rating, and anyone
// may file a complaint or a "办不成事" report.
//
// A case opens a rateable moment after acceptance and after conclusion
// (configurable per region); only the case's applicant rates it, once per
// moment, within the rating window (default 5 working days). Staff can never
// create or change a rating: the only staff path is the 12345 callback, where
// an agent records the applicant's own answer with the call recording.
//
// Statistics read ratings through Service.Aggregate; the supervision area
// consumes it through an interface it declares.
package ratings
