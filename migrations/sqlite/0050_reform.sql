-- Reform tasks (督办任务): tasks from the reform plans with a lead unit,
-- responsible units and a deadline; progress reports by the units; monthly
-- reminder letters (温馨提示函) for the tasks due that month.

CREATE TABLE reform_tasks (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL REFERENCES regions (code),
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	source_doc TEXT NOT NULL DEFAULT '',
	lead_org_id BIGINT NOT NULL REFERENCES orgs (id),
	start_date TEXT NOT NULL,
	deadline TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done')),
	percent INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
	completed_on TEXT,
	evidence TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES users (id),
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
-- The reminder job and the monthly report select by deadline month.
CREATE INDEX reform_tasks_deadline ON reform_tasks (region_code, deadline);
CREATE INDEX reform_tasks_lead ON reform_tasks (lead_org_id);

-- Responsible units (责任单位) other than the lead unit.
CREATE TABLE reform_task_units (
	task_id BIGINT NOT NULL REFERENCES reform_tasks (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	PRIMARY KEY (task_id, org_id)
);
-- A unit's staff list the tasks they report on.
CREATE INDEX reform_task_units_org ON reform_task_units (org_id);

CREATE TABLE reform_progress (
	id INTEGER PRIMARY KEY,
	task_id BIGINT NOT NULL REFERENCES reform_tasks (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	reporter_id BIGINT REFERENCES users (id),
	reporter_name TEXT NOT NULL,
	report_date TEXT NOT NULL,
	percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
	body TEXT NOT NULL,
	attachments TEXT NOT NULL DEFAULT '[]',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX reform_progress_task ON reform_progress (task_id, id);

-- 温馨提示函: one letter per unit per reminder run; items are a JSON
-- snapshot so a printed letter never changes when the task is edited later.
CREATE TABLE reform_letters (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL REFERENCES regions (code),
	month TEXT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	org_name TEXT NOT NULL,
	sender TEXT NOT NULL,
	doc_no TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	items TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX reform_letters_month ON reform_letters (region_code, month);

-- One reminder per task, month and unit: the primary key makes the monthly
-- job idempotent however often it runs.
CREATE TABLE reform_reminders (
	task_id BIGINT NOT NULL REFERENCES reform_tasks (id) ON DELETE CASCADE,
	month TEXT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	letter_id BIGINT NOT NULL REFERENCES reform_letters (id),
	PRIMARY KEY (task_id, month, org_id)
);
