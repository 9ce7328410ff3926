-- Marketing promotions demo data (local and preview projects): a spring promotion with the reusable
-- code DEMO10 (the examples in docs/api/promotions.md generate codes for it), an automatic free
-- shipping promotion over $100 and a buy-2-get-1 on accessories with the code CABLES3FOR2.
insert into marketing.promotions (id, name, kind, percent_off, stacking, priority, ends_at) values
  ('00000000-0000-4000-8000-000000000501', 'Spring 10', 'percentage', 10, 'combinable', 0, '2030-01-01T00:00:00Z')
on conflict (id) do nothing;
insert into marketing.promotions (id, name, kind, currency, min_subtotal_minor, automatic, stacking, priority) values
  ('00000000-0000-4000-8000-000000000502', 'Free shipping over $100', 'free_shipping', 'USD', 10000, true, 'combinable', 5)
on conflict (id) do nothing;
insert into marketing.promotions (id, name, kind, buy_quantity, get_quantity, categories, stacking, priority) values
  ('00000000-0000-4000-8000-000000000503', 'Accessories 3 for 2', 'buy_x_get_y', 2, 1, '{accessory}', 'exclusive', 10)
on conflict (id) do nothing;
insert into marketing.coupons (promotion_id, code, usage_limit, per_customer_limit) values
  ('00000000-0000-4000-8000-000000000501', 'DEMO10', null, null),
  ('00000000-0000-4000-8000-000000000503', 'CABLES3FOR2', 1000, 1)
on conflict do nothing;
