CREATE TABLE `task_tags` (
	`task_id` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`task_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `task_tags_key_value_idx` ON `task_tags` (`key`,`value`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `name` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `progress` real;--> statement-breakpoint
ALTER TABLE `tasks` ADD `progress_message` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `notify_url` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `notify_on` text DEFAULT 'finish' NOT NULL;