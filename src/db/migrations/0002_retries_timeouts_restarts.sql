ALTER TABLE `task_attempts` ADD `error` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `max_retries` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `retry_delay_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `retry_backoff` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `timeout_ms` integer;--> statement-breakpoint
ALTER TABLE `tasks` ADD `run_start_attempt` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `not_before` integer;