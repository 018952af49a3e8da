CREATE TABLE `script_versions` (
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`desc` text NOT NULL,
	`filename` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`name`, `version`)
);
--> statement-breakpoint
ALTER TABLE `scripts` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `task_attempts` ADD `handle` text;--> statement-breakpoint
ALTER TABLE `task_attempts` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `script_version` integer;--> statement-breakpoint
ALTER TABLE `tasks` ADD `script_sha256` text;--> statement-breakpoint
INSERT INTO `script_versions` (`name`, `version`, `desc`, `filename`, `sha256`, `size`, `created_at`)
  SELECT `name`, 1, `desc`, `filename`, `sha256`, `size`, `created_at` FROM `scripts`;--> statement-breakpoint
UPDATE `task_attempts` SET `handle` = json_object('pid', `pid`, 'startToken', `start_token`) WHERE `pid` IS NOT NULL;
