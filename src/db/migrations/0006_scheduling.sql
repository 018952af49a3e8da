CREATE TABLE `queue_states` (
	`instance` text PRIMARY KEY NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_arrays` (
	`id` text PRIMARY KEY NOT NULL,
	`max_running` integer,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_dependencies` (
	`task_id` text NOT NULL,
	`depends_on` text NOT NULL,
	`kind` text NOT NULL,
	PRIMARY KEY(`task_id`, `depends_on`)
);
--> statement-breakpoint
CREATE INDEX `task_dependencies_depends_on_idx` ON `task_dependencies` (`depends_on`);--> statement-breakpoint
ALTER TABLE `task_attempts` ADD `cpus` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `task_attempts` ADD `gpus` text;--> statement-breakpoint
ALTER TABLE `task_attempts` ADD `suspended_at` integer;--> statement-breakpoint
ALTER TABLE `task_attempts` ADD `suspended_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `priority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `cpus` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `gpus` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `env` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `array_id` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `blocked` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_queue_order_idx` ON `tasks` (`status`,`blocked`,"priority" desc,`seq`);--> statement-breakpoint
CREATE INDEX `tasks_array_status_idx` ON `tasks` (`array_id`,`status`);