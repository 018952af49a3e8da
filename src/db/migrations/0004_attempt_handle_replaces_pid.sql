ALTER TABLE `task_attempts` DROP COLUMN `pid`;--> statement-breakpoint
ALTER TABLE `task_attempts` DROP COLUMN `start_token`;