CREATE TABLE `scripts` (
	`name` text PRIMARY KEY NOT NULL,
	`desc` text NOT NULL,
	`filename` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_attempts` (
	`task_id` text NOT NULL,
	`number` integer NOT NULL,
	`executor` text NOT NULL,
	`pid` integer,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`exit_code` integer,
	`signal` text,
	PRIMARY KEY(`task_id`, `number`)
);
--> statement-breakpoint
CREATE TABLE `task_files` (
	`task_id` text NOT NULL,
	`placeholder` integer NOT NULL,
	`original_name` text NOT NULL,
	`stored_name` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	PRIMARY KEY(`task_id`, `placeholder`)
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`script_name` text NOT NULL,
	`script_filename` text NOT NULL,
	`arg_file` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`cancel_requested_at` integer,
	`finished_at` integer,
	`attempt_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_id_unique` ON `tasks` (`id`);--> statement-breakpoint
CREATE INDEX `tasks_status_seq_idx` ON `tasks` (`status`,`seq`);--> statement-breakpoint
CREATE INDEX `tasks_script_seq_idx` ON `tasks` (`script_name`,`seq`);