using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Storekeep.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "abandoned_cart_emails",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    cart_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    step_index = table.Column<int>(type: "INTEGER", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    discount_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_abandoned_cart_emails", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "abandoned_cart_settings",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    steps = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_abandoned_cart_settings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    prefix = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    entity_type = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    entity_id = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    before = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: true),
                    after = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "campaigns",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    segment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    body = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: false),
                    variants = table.Column<string>(type: "TEXT", maxLength: 600000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    scheduled_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    recipients = table.Column<int>(type: "INTEGER", nullable: false),
                    dispatched = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaigns", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "carts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    price_adjusted = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_carts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "categories",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    slug = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_categories", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "checkout_attempts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    cart_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    gateway = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    intent_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    details = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    client_address = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    account_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    failure_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    failure_message = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkout_attempts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "co_purchase_orders",
                columns: table => new
                {
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    counted_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_co_purchase_orders", x => x.order_id);
                });

            migrationBuilder.CreateTable(
                name: "co_purchases",
                columns: table => new
                {
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    other_sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    order_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_co_purchases", x => new { x.sku, x.other_sku });
                });

            migrationBuilder.CreateTable(
                name: "customer_months",
                columns: table => new
                {
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    dimension = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    month = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    previous_month = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    customers = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_months", x => new { x.currency, x.dimension, x.month, x.key, x.previous_month });
                });

            migrationBuilder.CreateTable(
                name: "customer_months_shares",
                columns: table => new
                {
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    customer = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    rows = table.Column<string>(type: "TEXT", maxLength: 1000000, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_months_shares", x => new { x.currency, x.customer });
                });

            migrationBuilder.CreateTable(
                name: "customer_order_stats",
                columns: table => new
                {
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    orders_count = table.Column<long>(type: "INTEGER", nullable: false),
                    live_orders = table.Column<long>(type: "INTEGER", nullable: false),
                    spent = table.Column<long>(type: "INTEGER", nullable: false),
                    first_order_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_order_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_order_stats", x => x.email);
                });

            migrationBuilder.CreateTable(
                name: "customer_rfm_scores",
                columns: table => new
                {
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    recency = table.Column<long>(type: "INTEGER", nullable: false),
                    frequency = table.Column<long>(type: "INTEGER", nullable: false),
                    monetary = table.Column<long>(type: "INTEGER", nullable: false),
                    recency_score = table.Column<long>(type: "INTEGER", nullable: false),
                    frequency_score = table.Column<long>(type: "INTEGER", nullable: false),
                    monetary_score = table.Column<long>(type: "INTEGER", nullable: false),
                    scored_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_rfm_scores", x => x.email);
                });

            migrationBuilder.CreateTable(
                name: "daily_kpis",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    dimension = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    orders = table.Column<int>(type: "INTEGER", nullable: false),
                    units = table.Column<long>(type: "INTEGER", nullable: false),
                    gross = table.Column<long>(type: "INTEGER", nullable: false),
                    discounts = table.Column<long>(type: "INTEGER", nullable: false),
                    shipping = table.Column<long>(type: "INTEGER", nullable: false),
                    tax = table.Column<long>(type: "INTEGER", nullable: false),
                    added_tax = table.Column<long>(type: "INTEGER", nullable: false),
                    cost_of_goods = table.Column<long>(type: "INTEGER", nullable: false),
                    refunds = table.Column<long>(type: "INTEGER", nullable: false),
                    new_customers = table.Column<int>(type: "INTEGER", nullable: false),
                    customers = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_kpis", x => new { x.currency, x.dimension, x.day, x.key });
                });

            migrationBuilder.CreateTable(
                name: "daily_sales",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    orders = table.Column<int>(type: "INTEGER", nullable: false),
                    gross = table.Column<long>(type: "INTEGER", nullable: false),
                    refunds = table.Column<long>(type: "INTEGER", nullable: false),
                    units = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_sales", x => new { x.day, x.currency });
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    xml = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "demo_credentials",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    password = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_demo_credentials", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "discounts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    code_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    value = table.Column<long>(type: "INTEGER", nullable: true),
                    rules = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    minimum_subtotal = table.Column<long>(type: "INTEGER", nullable: true),
                    minimum_quantity = table.Column<int>(type: "INTEGER", nullable: true),
                    starts_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ends_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    usage_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    usage_limit_per_customer = table.Column<int>(type: "INTEGER", nullable: true),
                    used_count = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_discounts", x => x.id);
                    table.CheckConstraint("ck_discounts_used", "used_count >= 0");
                });

            migrationBuilder.CreateTable(
                name: "event_subscriptions",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    position = table.Column<long>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    lease_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_event_subscriptions", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "experiments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    metric = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    campaign_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    discount_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    stopped_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_experiments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    scope = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    completed = table.Column<bool>(type: "INTEGER", nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    location = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    body = table.Column<byte[]>(type: "BLOB", maxLength: 1000000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_records", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "inbound_sms",
                columns: table => new
                {
                    message_sid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbound_sms", x => x.message_sid);
                });

            migrationBuilder.CreateTable(
                name: "invoice_counters",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    last_number = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoice_counters", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_program",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    points_per_unit = table.Column<int>(type: "INTEGER", nullable: false),
                    point_value = table.Column<long>(type: "INTEGER", nullable: false),
                    minimum_redeem_points = table.Column<int>(type: "INTEGER", nullable: false),
                    expiry_days = table.Column<int>(type: "INTEGER", nullable: true),
                    tiers = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_loyalty_program", x => x.id);
                    table.CheckConstraint("ck_loyalty_program_single_row", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "marketing_spend",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    medium = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    campaign = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_marketing_spend", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "message_templates",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    html = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 50000, nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_message_templates", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    to = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    html_body = table.Column<string>(type: "TEXT", maxLength: 200000, nullable: false),
                    text_body = table.Column<string>(type: "TEXT", maxLength: 100000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    lease_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    dedupe_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    campaign_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    unsubscribe_url = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    reply_to = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "order_acquisitions",
                columns: table => new
                {
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    visitor_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    first_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    first_campaign = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    first_medium = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    first_referrer = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    first_source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    last_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_campaign = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    last_medium = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    last_referrer = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    last_source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_acquisitions", x => x.order_id);
                });

            migrationBuilder.CreateTable(
                name: "order_allocations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_line_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    warehouse_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    shipped_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    released_quantity = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_allocations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    payment_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    fulfillment_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    placed_by_user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    channel = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    subtotal = table.Column<long>(type: "INTEGER", nullable: false),
                    shipping_total = table.Column<long>(type: "INTEGER", nullable: false),
                    tax_total = table.Column<long>(type: "INTEGER", nullable: false),
                    discount_total = table.Column<long>(type: "INTEGER", nullable: false, defaultValue: 0L),
                    shipping_discount = table.Column<long>(type: "INTEGER", nullable: false, defaultValue: 0L),
                    total = table.Column<long>(type: "INTEGER", nullable: false),
                    prices_include_tax = table.Column<bool>(type: "INTEGER", nullable: false),
                    shipping_method = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    ship_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    ship_line1 = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    ship_line2 = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    ship_city = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    ship_region = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    ship_postal_code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ship_country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    cart_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    client_address = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    cancelled_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false, defaultValue: "checkout"),
                    external_number = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    shipped_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    guest_email_key = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false, computedColumnSql: "lower(trim(email, char(32, 9, 10, 13, 12, 11)))", stored: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orders", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "TEXT", maxLength: 1000000, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    position = table.Column<long>(type: "INTEGER", nullable: true),
                    published_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "price_lists",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    percent_off = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_price_lists", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "quotes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    company_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    deal_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    valid_until = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    total = table.Column<long>(type: "INTEGER", nullable: false),
                    accept_token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    closed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quotes", x => x.id);
                    table.CheckConstraint("ck_quotes_version", "version >= 1");
                });

            migrationBuilder.CreateTable(
                name: "recently_viewed",
                columns: table => new
                {
                    visitor_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    product_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    viewed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recently_viewed", x => new { x.visitor_id, x.product_id });
                });

            migrationBuilder.CreateTable(
                name: "roles",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    normalized_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    concurrency_stamp = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_roles", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sales_commission_plans",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    basis = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    rate = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_commission_plans", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sales_stage_probabilities",
                columns: table => new
                {
                    stage = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    probability = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_stage_probabilities", x => x.stage);
                    table.CheckConstraint("ck_sales_stage_probabilities_range", "probability >= 0 AND probability <= 100");
                });

            migrationBuilder.CreateTable(
                name: "sales_teams",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    manager_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_teams", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sales_territories",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    countries = table.Column<string>(type: "TEXT", nullable: false),
                    regions = table.Column<string>(type: "TEXT", nullable: false),
                    industries = table.Column<string>(type: "TEXT", nullable: false),
                    assignment = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    assignment_cursor = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_territories", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "segments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    match = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    rules = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "shipping_methods",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    rate = table.Column<long>(type: "INTEGER", nullable: false),
                    free_over = table.Column<long>(type: "INTEGER", nullable: true),
                    countries = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    ship_within_hours = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipping_methods", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "store_settings",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    address = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    prices_include_tax = table.Column<bool>(type: "INTEGER", nullable: false),
                    manual_payment_methods = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_store_settings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "storefront_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    session_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    product_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    cart_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_storefront_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "stripe_webhook_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stripe_webhook_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "suppliers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    lead_time_days = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_suppliers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "support_sla_policies",
                columns: table => new
                {
                    priority = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    first_response_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    resolution_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_support_sla_policies", x => x.priority);
                });

            migrationBuilder.CreateTable(
                name: "tax_rates",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    region = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    rate = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tax_rates", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tickets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    subject = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    priority = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    assignee_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    first_response_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    resolved_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    paused_since = table.Column<DateTime>(type: "TEXT", nullable: true),
                    reply_token = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tickets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    display_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    user_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    normalized_user_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    normalized_email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    email_confirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    password_hash = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    security_stamp = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    concurrency_stamp = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    phone_number = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    phone_number_confirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    two_factor_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    lockout_end = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    lockout_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    access_failed_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "visitor_touches",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    visitor_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    session_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    campaign = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    medium = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    referrer = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_visitor_touches", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "warehouses",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    priority = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_warehouses", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    events = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    secret = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhooks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "campaign_recipients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    campaign_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    variant_key = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    address = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    token = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    claim_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    queued_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    opened_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    clicked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    unsubscribed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaign_recipients", x => x.id);
                    table.ForeignKey(
                        name: "fk_campaign_recipients_campaigns_campaign_id",
                        column: x => x.campaign_id,
                        principalTable: "campaigns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cart_discount_codes",
                columns: table => new
                {
                    cart_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    added_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cart_discount_codes", x => new { x.cart_id, x.code });
                    table.ForeignKey(
                        name: "fk_cart_discount_codes_carts_cart_id",
                        column: x => x.cart_id,
                        principalTable: "carts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cart_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    cart_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    variant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    added_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cart_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_cart_items_carts_cart_id",
                        column: x => x.cart_id,
                        principalTable: "carts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "products",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    slug = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: true),
                    category_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    vendor = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    product_type = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    tags = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    featured = table.Column<bool>(type: "INTEGER", nullable: false),
                    seo_title = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    seo_description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    option1_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    option2_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    option3_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    search_text = table.Column<string>(type: "TEXT", maxLength: 30000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_products", x => x.id);
                    table.ForeignKey(
                        name: "fk_products_categories_category_id",
                        column: x => x.category_id,
                        principalTable: "categories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "discount_customer_uses",
                columns: table => new
                {
                    discount_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    customer = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    uses = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_discount_customer_uses", x => new { x.discount_id, x.customer });
                    table.CheckConstraint("ck_discount_customer_uses_uses", "uses >= 0");
                    table.ForeignKey(
                        name: "fk_discount_customer_uses_discounts_discount_id",
                        column: x => x.discount_id,
                        principalTable: "discounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "discount_uses",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    discount_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    customer = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    order_total = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    released_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_discount_uses", x => x.id);
                    table.ForeignKey(
                        name: "fk_discount_uses_discounts_discount_id",
                        column: x => x.discount_id,
                        principalTable: "discounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "experiment_exposures",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    experiment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    visitor_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    variant_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    exposed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_experiment_exposures", x => x.id);
                    table.ForeignKey(
                        name: "fk_experiment_exposures_experiments_experiment_id",
                        column: x => x.experiment_id,
                        principalTable: "experiments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "experiment_variants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    experiment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    weight = table.Column<int>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    headline = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    banner = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_experiment_variants", x => x.id);
                    table.CheckConstraint("ck_experiment_variants_weight", "weight > 0");
                    table.ForeignKey(
                        name: "fk_experiment_variants_experiments_experiment_id",
                        column: x => x.experiment_id,
                        principalTable: "experiments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "order_discount_allocations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_line_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    discount_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_discount_allocations", x => x.id);
                    table.CheckConstraint("ck_order_discount_allocations_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_order_discount_allocations_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "order_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    variant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    unit_price = table.Column<long>(type: "INTEGER", nullable: false),
                    line_total = table.Column<long>(type: "INTEGER", nullable: false),
                    discount_amount = table.Column<long>(type: "INTEGER", nullable: false, defaultValue: 0L),
                    discount_allocations = table.Column<string>(type: "TEXT", nullable: true),
                    tax_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    unit_cost = table.Column<long>(type: "INTEGER", nullable: true),
                    fulfilled_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    returned_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    refunded_quantity = table.Column<int>(type: "INTEGER", nullable: false, defaultValue: 0)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_order_lines_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "order_timeline",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_timeline", x => x.id);
                    table.ForeignKey(
                        name: "fk_order_timeline_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    gateway = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    gateway_reference = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    captured_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    refunded_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    card_brand = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    last4 = table.Column<string>(type: "TEXT", maxLength: 4, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payments", x => x.id);
                    table.CheckConstraint("ck_payments_refund_within_capture", "refunded_amount <= captured_amount");
                    table.ForeignKey(
                        name: "fk_payments_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "returns",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<long>(type: "INTEGER", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    restock = table.Column<bool>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_returns", x => x.id);
                    table.ForeignKey(
                        name: "fk_returns_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "shipments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    warehouse_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    carrier = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    tracking_number = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    shipped_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipments", x => x.id);
                    table.ForeignKey(
                        name: "fk_shipments_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "price_list_entries",
                columns: table => new
                {
                    price_list_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    minimum_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    price = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_price_list_entries", x => new { x.price_list_id, x.sku, x.minimum_quantity });
                    table.ForeignKey(
                        name: "fk_price_list_entries_price_lists_price_list_id",
                        column: x => x.price_list_id,
                        principalTable: "price_lists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "quote_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    quote_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    regular_price = table.Column<long>(type: "INTEGER", nullable: false),
                    unit_price = table.Column<long>(type: "INTEGER", nullable: false),
                    negotiated = table.Column<bool>(type: "INTEGER", nullable: false),
                    line_total = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quote_lines", x => x.id);
                    table.CheckConstraint("ck_quote_lines_quantity", "quantity > 0");
                    table.ForeignKey(
                        name: "fk_quote_lines_quotes_quote_id",
                        column: x => x.quote_id,
                        principalTable: "quotes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "quote_payment_attempts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    quote_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    gateway = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    intent_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    details = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    by_buyer = table.Column<bool>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    failure_code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    failure_message = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quote_payment_attempts", x => x.id);
                    table.ForeignKey(
                        name: "fk_quote_payment_attempts_quotes_quote_id",
                        column: x => x.quote_id,
                        principalTable: "quotes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "role_claims",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    role_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    claim_type = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    claim_value = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_role_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_role_claims_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_commission_plan_tiers",
                columns: table => new
                {
                    plan_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    from_attainment = table.Column<long>(type: "INTEGER", nullable: false),
                    rate = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_commission_plan_tiers", x => new { x.plan_id, x.from_attainment });
                    table.ForeignKey(
                        name: "fk_sales_commission_plan_tiers_sales_commission_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "sales_commission_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_reps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    team_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    territory_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    commission_plan_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_reps", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_reps_sales_commission_plans_commission_plan_id",
                        column: x => x.commission_plan_id,
                        principalTable: "sales_commission_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sales_reps_sales_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "sales_teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sales_reps_sales_territories_territory_id",
                        column: x => x.territory_id,
                        principalTable: "sales_territories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "supplier_products",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    supplier_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    supplier_sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    cost = table.Column<long>(type: "INTEGER", nullable: false),
                    minimum_order_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    pack_size = table.Column<int>(type: "INTEGER", nullable: false),
                    lead_time_days = table.Column<int>(type: "INTEGER", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_supplier_products", x => x.id);
                    table.ForeignKey(
                        name: "fk_supplier_products_suppliers_supplier_id",
                        column: x => x.supplier_id,
                        principalTable: "suppliers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ticket_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ticket_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    author = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    author_name = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    @internal = table.Column<bool>(name: "internal", type: "INTEGER", nullable: false),
                    email_message_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    inbound_message_id = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ticket_messages", x => x.id);
                    table.ForeignKey(
                        name: "fk_ticket_messages_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ticket_pauses",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ticket_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ticket_pauses", x => x.id);
                    table.CheckConstraint("ck_ticket_pauses_order", "ended_at >= started_at");
                    table.ForeignKey(
                        name: "fk_ticket_pauses_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_claims",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    claim_type = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    claim_value = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_user_claims_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_logins",
                columns: table => new
                {
                    login_provider = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    provider_key = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    provider_display_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_logins", x => new { x.login_provider, x.provider_key });
                    table.ForeignKey(
                        name: "fk_user_logins_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_roles",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    role_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_roles", x => new { x.user_id, x.role_id });
                    table.ForeignKey(
                        name: "fk_user_roles_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_user_roles_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_tokens",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    login_provider = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_tokens", x => new { x.user_id, x.login_provider, x.name });
                    table.ForeignKey(
                        name: "fk_user_tokens_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pick_scans",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    warehouse_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    correct = table.Column<bool>(type: "INTEGER", nullable: false),
                    scanned_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    scanned_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pick_scans", x => x.id);
                    table.ForeignKey(
                        name: "fk_pick_scans_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_pick_scans_warehouses_warehouse_id",
                        column: x => x.warehouse_id,
                        principalTable: "warehouses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "purchase_orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<long>(type: "INTEGER", nullable: false),
                    supplier_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    warehouse_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    expected_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    actor = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    cancelled_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_purchase_orders", x => x.id);
                    table.ForeignKey(
                        name: "fk_purchase_orders_suppliers_supplier_id",
                        column: x => x.supplier_id,
                        principalTable: "suppliers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_purchase_orders_warehouses_warehouse_id",
                        column: x => x.warehouse_id,
                        principalTable: "warehouses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "stock_levels",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    warehouse_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    on_hand = table.Column<long>(type: "INTEGER", nullable: false),
                    reserved = table.Column<long>(type: "INTEGER", nullable: false),
                    low_stock_threshold = table.Column<long>(type: "INTEGER", nullable: false),
                    reorder_point = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_levels", x => x.id);
                    table.CheckConstraint("ck_stock_levels_balances", "reserved >= 0 AND on_hand >= reserved");
                    table.ForeignKey(
                        name: "fk_stock_levels_warehouses_warehouse_id",
                        column: x => x.warehouse_id,
                        principalTable: "warehouses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "stock_movements",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    warehouse_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    on_hand_delta = table.Column<long>(type: "INTEGER", nullable: false),
                    reserved_delta = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    actor = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    reference = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_movements", x => x.id);
                    table.ForeignKey(
                        name: "fk_stock_movements_warehouses_warehouse_id",
                        column: x => x.warehouse_id,
                        principalTable: "warehouses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    webhook_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    event_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    lease_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_outbox_events_event_id",
                        column: x => x.event_id,
                        principalTable: "outbox_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_webhooks_webhook_id",
                        column: x => x.webhook_id,
                        principalTable: "webhooks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "product_images",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    product_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    alt_text = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_product_images", x => x.id);
                    table.ForeignKey(
                        name: "fk_product_images_products_product_id",
                        column: x => x.product_id,
                        principalTable: "products",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "product_variants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    product_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    price = table.Column<long>(type: "INTEGER", nullable: false),
                    compare_at_price = table.Column<long>(type: "INTEGER", nullable: true),
                    cost = table.Column<long>(type: "INTEGER", nullable: true),
                    weight_grams = table.Column<int>(type: "INTEGER", nullable: true),
                    barcode = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    option1 = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    option2 = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    option3 = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    image_url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_product_variants", x => x.id);
                    table.ForeignKey(
                        name: "fk_product_variants_products_product_id",
                        column: x => x.product_id,
                        principalTable: "products",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "refunds",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    payment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    gateway_reference = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    failure_message = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    actor = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_refunds", x => x.id);
                    table.ForeignKey(
                        name: "fk_refunds_payments_payment_id",
                        column: x => x.payment_id,
                        principalTable: "payments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "return_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    return_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    warehouse_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_return_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_return_lines_returns_return_id",
                        column: x => x.return_id,
                        principalTable: "returns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "shipment_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    shipment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shipment_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_shipment_lines_shipments_shipment_id",
                        column: x => x.shipment_id,
                        principalTable: "shipments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "companies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    region = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    industry = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    price_list_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    payment_terms = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    credit_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    owner_rep_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_companies", x => x.id);
                    table.ForeignKey(
                        name: "fk_companies_sales_reps_owner_rep_id",
                        column: x => x.owner_rep_id,
                        principalTable: "sales_reps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sales_commission_plan_assignments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rep_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    plan_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_commission_plan_assignments", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_commission_plan_assignments_sales_commission_plans_plan_id",
                        column: x => x.plan_id,
                        principalTable: "sales_commission_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sales_commission_plan_assignments_sales_reps_rep_id",
                        column: x => x.rep_id,
                        principalTable: "sales_reps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_deals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    company_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    contact_email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    expected_close_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    owner_rep_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    stage = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    probability = table.Column<int>(type: "INTEGER", nullable: false),
                    probability_manual = table.Column<bool>(type: "INTEGER", nullable: false),
                    forecast_category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    closed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    lost_reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_deals", x => x.id);
                    table.CheckConstraint("ck_sales_deals_probability", "probability >= 0 AND probability <= 100");
                    table.ForeignKey(
                        name: "fk_sales_deals_sales_reps_owner_rep_id",
                        column: x => x.owner_rep_id,
                        principalTable: "sales_reps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sales_quotas",
                columns: table => new
                {
                    rep_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    period = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_quotas", x => new { x.rep_id, x.period });
                    table.ForeignKey(
                        name: "fk_sales_quotas_sales_reps_rep_id",
                        column: x => x.rep_id,
                        principalTable: "sales_reps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_territory_reps",
                columns: table => new
                {
                    territory_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    rep_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_territory_reps", x => new { x.territory_id, x.rep_id });
                    table.ForeignKey(
                        name: "fk_sales_territory_reps_sales_reps_rep_id",
                        column: x => x.rep_id,
                        principalTable: "sales_reps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_sales_territory_reps_sales_territories_territory_id",
                        column: x => x.territory_id,
                        principalTable: "sales_territories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "purchase_order_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    purchase_order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    received_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    unit_cost = table.Column<long>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_purchase_order_lines", x => x.id);
                    table.CheckConstraint("ck_purchase_order_lines_received", "quantity > 0 AND received_quantity >= 0 AND received_quantity <= quantity");
                    table.ForeignKey(
                        name: "fk_purchase_order_lines_purchase_orders_purchase_order_id",
                        column: x => x.purchase_order_id,
                        principalTable: "purchase_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "refund_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    refund_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_line_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    net_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    tax_amount = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_refund_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_refund_lines_refunds_refund_id",
                        column: x => x.refund_id,
                        principalTable: "refunds",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "company_credit",
                columns: table => new
                {
                    company_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    outstanding = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_company_credit", x => x.company_id);
                    table.CheckConstraint("ck_company_credit_outstanding", "outstanding >= 0");
                    table.ForeignKey(
                        name: "fk_company_credit_companies_company_id",
                        column: x => x.company_id,
                        principalTable: "companies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "company_owner_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    company_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_rep_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_company_owner_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_company_owner_changes_companies_company_id",
                        column: x => x.company_id,
                        principalTable: "companies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_company_owner_changes_sales_reps_owner_rep_id",
                        column: x => x.owner_rep_id,
                        principalTable: "sales_reps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "customers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    first_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    last_name = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    phone = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    company = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    country = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    company_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    note_updated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    accepts_email = table.Column<bool>(type: "INTEGER", nullable: false),
                    email_consent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    email_consent_source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    accepts_sms = table.Column<bool>(type: "INTEGER", nullable: false),
                    sms_consent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    sms_consent_source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customers", x => x.id);
                    table.ForeignKey(
                        name: "fk_customers_companies_company_id",
                        column: x => x.company_id,
                        principalTable: "companies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "invoices",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<long>(type: "INTEGER", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    company_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    issued_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    total = table.Column<long>(type: "INTEGER", nullable: false),
                    amount_paid = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    voided_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    reminder_sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoices", x => x.id);
                    table.CheckConstraint("ck_invoices_paid_within_total", "amount_paid >= 0 AND amount_paid <= total");
                    table.ForeignKey(
                        name: "fk_invoices_companies_company_id",
                        column: x => x.company_id,
                        principalTable: "companies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_invoices_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "sales_activities",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deal_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    done_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_activities", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_activities_sales_deals_deal_id",
                        column: x => x.deal_id,
                        principalTable: "sales_deals",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_deal_forecast_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deal_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    stage = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    probability = table.Column<int>(type: "INTEGER", nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    expected_close_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    owner_rep_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_deal_forecast_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_deal_forecast_changes_sales_deals_deal_id",
                        column: x => x.deal_id,
                        principalTable: "sales_deals",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sales_deal_stage_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    deal_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    from_stage = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    to_stage = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    probability = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_deal_stage_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_deal_stage_changes_sales_deals_deal_id",
                        column: x => x.deal_id,
                        principalTable: "sales_deals",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "customer_tags",
                columns: table => new
                {
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tag = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_tags", x => new { x.customer_id, x.tag });
                    table.ForeignKey(
                        name: "fk_customer_tags_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_accounts",
                columns: table => new
                {
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    balance = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_loyalty_accounts", x => x.customer_id);
                    table.CheckConstraint("ck_loyalty_accounts_balance", "balance >= 0");
                    table.ForeignKey(
                        name: "fk_loyalty_accounts_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "invoice_payments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    invoice_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    recorded_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoice_payments", x => x.id);
                    table.ForeignKey(
                        name: "fk_invoice_payments_invoices_invoice_id",
                        column: x => x.invoice_id,
                        principalTable: "invoices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cart_loyalty_redemptions",
                columns: table => new
                {
                    cart_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    points = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cart_loyalty_redemptions", x => x.cart_id);
                    table.CheckConstraint("ck_cart_loyalty_redemptions_points", "points > 0");
                    table.ForeignKey(
                        name: "fk_cart_loyalty_redemptions_carts_cart_id",
                        column: x => x.cart_id,
                        principalTable: "carts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_cart_loyalty_redemptions_loyalty_accounts_customer_id",
                        column: x => x.customer_id,
                        principalTable: "loyalty_accounts",
                        principalColumn: "customer_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    customer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    points = table.Column<long>(type: "INTEGER", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    key = table.Column<string>(type: "TEXT", maxLength: 120, nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    expiry_checked = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_loyalty_entries", x => x.id);
                    table.CheckConstraint("ck_loyalty_entries_points", "points <> 0");
                    table.ForeignKey(
                        name: "fk_loyalty_entries_loyalty_accounts_customer_id",
                        column: x => x.customer_id,
                        principalTable: "loyalty_accounts",
                        principalColumn: "customer_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_abandoned_cart_emails_cart_id_step_index",
                table: "abandoned_cart_emails",
                columns: new[] { "cart_id", "step_index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_abandoned_cart_emails_sent_at",
                table: "abandoned_cart_emails",
                column: "sent_at");

            migrationBuilder.CreateIndex(
                name: "ix_abandoned_cart_emails_token",
                table: "abandoned_cart_emails",
                column: "token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_hash",
                table: "api_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_entity_type_entity_id",
                table: "audit_log",
                columns: new[] { "entity_type", "entity_id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_occurred_at",
                table: "audit_log",
                column: "occurred_at");

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_campaign_id_customer_id",
                table: "campaign_recipients",
                columns: new[] { "campaign_id", "customer_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_campaign_id_status_id",
                table: "campaign_recipients",
                columns: new[] { "campaign_id", "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_claim_id",
                table: "campaign_recipients",
                column: "claim_id");

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_customer_id_clicked_at",
                table: "campaign_recipients",
                columns: new[] { "customer_id", "clicked_at" });

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_token",
                table: "campaign_recipients",
                column: "token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_campaigns_status_scheduled_at",
                table: "campaigns",
                columns: new[] { "status", "scheduled_at" });

            migrationBuilder.CreateIndex(
                name: "ix_cart_items_cart_id_sku",
                table: "cart_items",
                columns: new[] { "cart_id", "sku" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cart_loyalty_redemptions_customer_id",
                table: "cart_loyalty_redemptions",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_carts_status_updated_at",
                table: "carts",
                columns: new[] { "status", "updated_at" });

            migrationBuilder.CreateIndex(
                name: "ix_categories_slug",
                table: "categories",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_checkout_attempts_cart_id_status",
                table: "checkout_attempts",
                columns: new[] { "cart_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_attempts_gateway_intent_id",
                table: "checkout_attempts",
                columns: new[] { "gateway", "intent_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_co_purchases_sku_order_count",
                table: "co_purchases",
                columns: new[] { "sku", "order_count" });

            migrationBuilder.CreateIndex(
                name: "ix_companies_name",
                table: "companies",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "ix_companies_owner_rep_id",
                table: "companies",
                column: "owner_rep_id");

            migrationBuilder.CreateIndex(
                name: "ix_company_owner_changes_company_id_at",
                table: "company_owner_changes",
                columns: new[] { "company_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_company_owner_changes_owner_rep_id",
                table: "company_owner_changes",
                column: "owner_rep_id");

            migrationBuilder.CreateIndex(
                name: "ix_customer_months_shares_customer",
                table: "customer_months_shares",
                column: "customer");

            migrationBuilder.CreateIndex(
                name: "ix_customer_order_stats_customer_id",
                table: "customer_order_stats",
                column: "customer_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_customer_order_stats_first_order_at",
                table: "customer_order_stats",
                column: "first_order_at");

            migrationBuilder.CreateIndex(
                name: "ix_customer_order_stats_last_order_at",
                table: "customer_order_stats",
                column: "last_order_at");

            migrationBuilder.CreateIndex(
                name: "ix_customer_order_stats_spent",
                table: "customer_order_stats",
                column: "spent");

            migrationBuilder.CreateIndex(
                name: "ix_customer_tags_tag",
                table: "customer_tags",
                column: "tag");

            migrationBuilder.CreateIndex(
                name: "ix_customers_company_id",
                table: "customers",
                column: "company_id");

            migrationBuilder.CreateIndex(
                name: "ix_customers_email",
                table: "customers",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_daily_kpis_day",
                table: "daily_kpis",
                column: "day");

            migrationBuilder.CreateIndex(
                name: "ix_discount_uses_discount_id_order_id",
                table: "discount_uses",
                columns: new[] { "discount_id", "order_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_discount_uses_order_id",
                table: "discount_uses",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_discounts_code_key",
                table: "discounts",
                column: "code_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_discounts_status",
                table: "discounts",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "ix_experiment_exposures_experiment_id_visitor_id",
                table: "experiment_exposures",
                columns: new[] { "experiment_id", "visitor_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_experiment_exposures_visitor_id",
                table: "experiment_exposures",
                column: "visitor_id");

            migrationBuilder.CreateIndex(
                name: "ix_experiment_variants_experiment_id_key",
                table: "experiment_variants",
                columns: new[] { "experiment_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_experiments_status_kind",
                table: "experiments",
                columns: new[] { "status", "kind" });

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_created_at",
                table: "idempotency_records",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_scope_key",
                table: "idempotency_records",
                columns: new[] { "scope", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_inbound_sms_received_at",
                table: "inbound_sms",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_invoice_payments_invoice_id",
                table: "invoice_payments",
                column: "invoice_id");

            migrationBuilder.CreateIndex(
                name: "ix_invoices_company_id_status",
                table: "invoices",
                columns: new[] { "company_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_invoices_number",
                table: "invoices",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_invoices_order_id",
                table: "invoices",
                column: "order_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_invoices_status_due_at",
                table: "invoices",
                columns: new[] { "status", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_customer_id_id",
                table: "loyalty_entries",
                columns: new[] { "customer_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_expiry_checked_expires_at",
                table: "loyalty_entries",
                columns: new[] { "expiry_checked", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_key",
                table: "loyalty_entries",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_order_id",
                table: "loyalty_entries",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_marketing_spend_date",
                table: "marketing_spend",
                column: "date");

            migrationBuilder.CreateIndex(
                name: "ix_messages_campaign_id",
                table: "messages",
                column: "campaign_id");

            migrationBuilder.CreateIndex(
                name: "ix_messages_dedupe_key",
                table: "messages",
                column: "dedupe_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_messages_order_id",
                table: "messages",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_messages_status_next_attempt_at",
                table: "messages",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_messages_to_id",
                table: "messages",
                columns: new[] { "to", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_messages_type_id",
                table: "messages",
                columns: new[] { "type", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_order_acquisitions_visitor_id",
                table: "order_acquisitions",
                column: "visitor_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_allocations_order_id",
                table: "order_allocations",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_allocations_warehouse_id_sku",
                table: "order_allocations",
                columns: new[] { "warehouse_id", "sku" });

            migrationBuilder.CreateIndex(
                name: "ix_order_discount_allocations_order_id",
                table: "order_discount_allocations",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_lines_order_id",
                table: "order_lines",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_lines_sku",
                table: "order_lines",
                column: "sku");

            migrationBuilder.CreateIndex(
                name: "ix_order_timeline_order_id",
                table: "order_timeline",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_orders_cart_id",
                table: "orders",
                column: "cart_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_orders_created_at",
                table: "orders",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_orders_customer_id",
                table: "orders",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_orders_email_number",
                table: "orders",
                columns: new[] { "email", "number" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_fulfillment_status_number",
                table: "orders",
                columns: new[] { "fulfillment_status", "number" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_guest_email_key",
                table: "orders",
                column: "guest_email_key",
                filter: "customer_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_orders_number",
                table: "orders",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_orders_payment_status_number",
                table: "orders",
                columns: new[] { "payment_status", "number" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_placed_by_user_id_number",
                table: "orders",
                columns: new[] { "placed_by_user_id", "number" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_source_external_number",
                table: "orders",
                columns: new[] { "source", "external_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_orders_status_number",
                table: "orders",
                columns: new[] { "status", "number" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_unpaid_by_age",
                table: "orders",
                column: "created_at",
                filter: "status = 'open' AND payment_status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_orders_unpaid_by_client",
                table: "orders",
                column: "client_address",
                filter: "status = 'open' AND payment_status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_orders_waiting_to_ship",
                table: "orders",
                column: "number",
                filter: "status = 'open' AND payment_status IN ('paid', 'partially_refunded') AND fulfillment_status IN ('unfulfilled', 'partially_shipped')");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_events_position",
                table: "outbox_events",
                column: "position",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_events_published_at",
                table: "outbox_events",
                column: "published_at");

            migrationBuilder.CreateIndex(
                name: "ix_payments_capturing_by_age",
                table: "payments",
                column: "created_at",
                filter: "status = 'capturing'");

            migrationBuilder.CreateIndex(
                name: "ix_payments_gateway_reference",
                table: "payments",
                column: "gateway_reference");

            migrationBuilder.CreateIndex(
                name: "ix_payments_order_id",
                table: "payments",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_pick_scans_order_id_warehouse_id",
                table: "pick_scans",
                columns: new[] { "order_id", "warehouse_id" });

            migrationBuilder.CreateIndex(
                name: "ix_pick_scans_warehouse_id",
                table: "pick_scans",
                column: "warehouse_id");

            migrationBuilder.CreateIndex(
                name: "ix_price_lists_name",
                table: "price_lists",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_product_images_product_id_position",
                table: "product_images",
                columns: new[] { "product_id", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_product_variants_product_id",
                table: "product_variants",
                column: "product_id");

            migrationBuilder.CreateIndex(
                name: "ix_product_variants_sku",
                table: "product_variants",
                column: "sku",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_products_category_id_id",
                table: "products",
                columns: new[] { "category_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_products_featured_status",
                table: "products",
                columns: new[] { "featured", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_products_slug",
                table: "products",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_products_status_id",
                table: "products",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_purchase_order_lines_purchase_order_id_sku",
                table: "purchase_order_lines",
                columns: new[] { "purchase_order_id", "sku" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_purchase_order_lines_sku",
                table: "purchase_order_lines",
                column: "sku");

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_number",
                table: "purchase_orders",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_status_warehouse_id",
                table: "purchase_orders",
                columns: new[] { "status", "warehouse_id" });

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_supplier_id",
                table: "purchase_orders",
                column: "supplier_id");

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_warehouse_id",
                table: "purchase_orders",
                column: "warehouse_id");

            migrationBuilder.CreateIndex(
                name: "ix_quote_lines_quote_id_version_position",
                table: "quote_lines",
                columns: new[] { "quote_id", "version", "position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quote_payment_attempts_gateway_intent_id",
                table: "quote_payment_attempts",
                columns: new[] { "gateway", "intent_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quote_payment_attempts_quote_id_status",
                table: "quote_payment_attempts",
                columns: new[] { "quote_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_quotes_accept_token",
                table: "quotes",
                column: "accept_token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quotes_company_id",
                table: "quotes",
                column: "company_id");

            migrationBuilder.CreateIndex(
                name: "ix_quotes_deal_id",
                table: "quotes",
                column: "deal_id");

            migrationBuilder.CreateIndex(
                name: "ix_quotes_email",
                table: "quotes",
                column: "email");

            migrationBuilder.CreateIndex(
                name: "ix_quotes_number",
                table: "quotes",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_recently_viewed_viewed_at",
                table: "recently_viewed",
                column: "viewed_at");

            migrationBuilder.CreateIndex(
                name: "ix_refund_lines_order_line_id",
                table: "refund_lines",
                column: "order_line_id");

            migrationBuilder.CreateIndex(
                name: "ix_refund_lines_refund_id",
                table: "refund_lines",
                column: "refund_id");

            migrationBuilder.CreateIndex(
                name: "ix_refunds_created_at",
                table: "refunds",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_refunds_order_id",
                table: "refunds",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_refunds_payment_id",
                table: "refunds",
                column: "payment_id");

            migrationBuilder.CreateIndex(
                name: "ix_return_lines_return_id",
                table: "return_lines",
                column: "return_id");

            migrationBuilder.CreateIndex(
                name: "ix_returns_number",
                table: "returns",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_returns_order_id",
                table: "returns",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_returns_status_order_id",
                table: "returns",
                columns: new[] { "status", "order_id" });

            migrationBuilder.CreateIndex(
                name: "ix_role_claims_role_id",
                table: "role_claims",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "role_name_index",
                table: "roles",
                column: "normalized_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sales_activities_deal_id",
                table: "sales_activities",
                column: "deal_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_activities_done_at_due_at",
                table: "sales_activities",
                columns: new[] { "done_at", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_commission_plan_assignments_plan_id",
                table: "sales_commission_plan_assignments",
                column: "plan_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_commission_plan_assignments_rep_id_at",
                table: "sales_commission_plan_assignments",
                columns: new[] { "rep_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_commission_plans_name",
                table: "sales_commission_plans",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sales_deal_forecast_changes_deal_id_at",
                table: "sales_deal_forecast_changes",
                columns: new[] { "deal_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_deal_stage_changes_at",
                table: "sales_deal_stage_changes",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_sales_deal_stage_changes_deal_id_at",
                table: "sales_deal_stage_changes",
                columns: new[] { "deal_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_deals_closed_at",
                table: "sales_deals",
                column: "closed_at");

            migrationBuilder.CreateIndex(
                name: "ix_sales_deals_company_id",
                table: "sales_deals",
                column: "company_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_deals_owner_rep_id_stage",
                table: "sales_deals",
                columns: new[] { "owner_rep_id", "stage" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_reps_commission_plan_id",
                table: "sales_reps",
                column: "commission_plan_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_reps_team_id",
                table: "sales_reps",
                column: "team_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_reps_territory_id",
                table: "sales_reps",
                column: "territory_id");

            migrationBuilder.CreateIndex(
                name: "ix_sales_reps_user_id",
                table: "sales_reps",
                column: "user_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sales_territory_reps_rep_id",
                table: "sales_territory_reps",
                column: "rep_id");

            migrationBuilder.CreateIndex(
                name: "ix_segments_name",
                table: "segments",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_shipment_lines_shipment_id",
                table: "shipment_lines",
                column: "shipment_id");

            migrationBuilder.CreateIndex(
                name: "ix_shipments_order_id",
                table: "shipments",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_shipping_methods_code",
                table: "shipping_methods",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stock_levels_sku_warehouse_id",
                table: "stock_levels",
                columns: new[] { "sku", "warehouse_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stock_levels_warehouse_id",
                table: "stock_levels",
                column: "warehouse_id");

            migrationBuilder.CreateIndex(
                name: "ix_stock_movements_sku_id",
                table: "stock_movements",
                columns: new[] { "sku", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_stock_movements_warehouse_id",
                table: "stock_movements",
                column: "warehouse_id");

            migrationBuilder.CreateIndex(
                name: "ix_storefront_events_occurred_at_type",
                table: "storefront_events",
                columns: new[] { "occurred_at", "type" });

            migrationBuilder.CreateIndex(
                name: "ix_stripe_webhook_events_received_at",
                table: "stripe_webhook_events",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_supplier_products_sku",
                table: "supplier_products",
                column: "sku");

            migrationBuilder.CreateIndex(
                name: "ix_supplier_products_supplier_id_sku",
                table: "supplier_products",
                columns: new[] { "supplier_id", "sku" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_suppliers_name",
                table: "suppliers",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "ix_tax_rates_country_region",
                table: "tax_rates",
                columns: new[] { "country", "region" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ticket_messages_inbound_message_id",
                table: "ticket_messages",
                column: "inbound_message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ticket_messages_ticket_id_created_at",
                table: "ticket_messages",
                columns: new[] { "ticket_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ticket_pauses_ticket_id",
                table: "ticket_pauses",
                column: "ticket_id");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_assignee_id",
                table: "tickets",
                column: "assignee_id");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_created_at",
                table: "tickets",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_customer_id",
                table: "tickets",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_email",
                table: "tickets",
                column: "email");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_order_id",
                table: "tickets",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_tickets_reply_token",
                table: "tickets",
                column: "reply_token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tickets_status_id",
                table: "tickets",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_user_claims_user_id",
                table: "user_claims",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_user_logins_user_id",
                table: "user_logins",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_user_roles_role_id",
                table: "user_roles",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "email_index",
                table: "users",
                column: "normalized_email");

            migrationBuilder.CreateIndex(
                name: "user_name_index",
                table: "users",
                column: "normalized_user_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_visitor_touches_visitor_id",
                table: "visitor_touches",
                column: "visitor_id");

            migrationBuilder.CreateIndex(
                name: "ix_warehouses_code",
                table: "warehouses",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_event_id",
                table: "webhook_deliveries",
                column: "event_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_status_next_attempt_at",
                table: "webhook_deliveries",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_webhook_id_event_id",
                table: "webhook_deliveries",
                columns: new[] { "webhook_id", "event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_webhook_id_id",
                table: "webhook_deliveries",
                columns: new[] { "webhook_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "abandoned_cart_emails");

            migrationBuilder.DropTable(
                name: "abandoned_cart_settings");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "campaign_recipients");

            migrationBuilder.DropTable(
                name: "cart_discount_codes");

            migrationBuilder.DropTable(
                name: "cart_items");

            migrationBuilder.DropTable(
                name: "cart_loyalty_redemptions");

            migrationBuilder.DropTable(
                name: "checkout_attempts");

            migrationBuilder.DropTable(
                name: "co_purchase_orders");

            migrationBuilder.DropTable(
                name: "co_purchases");

            migrationBuilder.DropTable(
                name: "company_credit");

            migrationBuilder.DropTable(
                name: "company_owner_changes");

            migrationBuilder.DropTable(
                name: "customer_months");

            migrationBuilder.DropTable(
                name: "customer_months_shares");

            migrationBuilder.DropTable(
                name: "customer_order_stats");

            migrationBuilder.DropTable(
                name: "customer_rfm_scores");

            migrationBuilder.DropTable(
                name: "customer_tags");

            migrationBuilder.DropTable(
                name: "daily_kpis");

            migrationBuilder.DropTable(
                name: "daily_sales");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "demo_credentials");

            migrationBuilder.DropTable(
                name: "discount_customer_uses");

            migrationBuilder.DropTable(
                name: "discount_uses");

            migrationBuilder.DropTable(
                name: "event_subscriptions");

            migrationBuilder.DropTable(
                name: "experiment_exposures");

            migrationBuilder.DropTable(
                name: "experiment_variants");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "inbound_sms");

            migrationBuilder.DropTable(
                name: "invoice_counters");

            migrationBuilder.DropTable(
                name: "invoice_payments");

            migrationBuilder.DropTable(
                name: "loyalty_entries");

            migrationBuilder.DropTable(
                name: "loyalty_program");

            migrationBuilder.DropTable(
                name: "marketing_spend");

            migrationBuilder.DropTable(
                name: "message_templates");

            migrationBuilder.DropTable(
                name: "messages");

            migrationBuilder.DropTable(
                name: "order_acquisitions");

            migrationBuilder.DropTable(
                name: "order_allocations");

            migrationBuilder.DropTable(
                name: "order_discount_allocations");

            migrationBuilder.DropTable(
                name: "order_lines");

            migrationBuilder.DropTable(
                name: "order_timeline");

            migrationBuilder.DropTable(
                name: "pick_scans");

            migrationBuilder.DropTable(
                name: "price_list_entries");

            migrationBuilder.DropTable(
                name: "product_images");

            migrationBuilder.DropTable(
                name: "product_variants");

            migrationBuilder.DropTable(
                name: "purchase_order_lines");

            migrationBuilder.DropTable(
                name: "quote_lines");

            migrationBuilder.DropTable(
                name: "quote_payment_attempts");

            migrationBuilder.DropTable(
                name: "recently_viewed");

            migrationBuilder.DropTable(
                name: "refund_lines");

            migrationBuilder.DropTable(
                name: "return_lines");

            migrationBuilder.DropTable(
                name: "role_claims");

            migrationBuilder.DropTable(
                name: "sales_activities");

            migrationBuilder.DropTable(
                name: "sales_commission_plan_assignments");

            migrationBuilder.DropTable(
                name: "sales_commission_plan_tiers");

            migrationBuilder.DropTable(
                name: "sales_deal_forecast_changes");

            migrationBuilder.DropTable(
                name: "sales_deal_stage_changes");

            migrationBuilder.DropTable(
                name: "sales_quotas");

            migrationBuilder.DropTable(
                name: "sales_stage_probabilities");

            migrationBuilder.DropTable(
                name: "sales_territory_reps");

            migrationBuilder.DropTable(
                name: "segments");

            migrationBuilder.DropTable(
                name: "shipment_lines");

            migrationBuilder.DropTable(
                name: "shipping_methods");

            migrationBuilder.DropTable(
                name: "stock_levels");

            migrationBuilder.DropTable(
                name: "stock_movements");

            migrationBuilder.DropTable(
                name: "store_settings");

            migrationBuilder.DropTable(
                name: "storefront_events");

            migrationBuilder.DropTable(
                name: "stripe_webhook_events");

            migrationBuilder.DropTable(
                name: "supplier_products");

            migrationBuilder.DropTable(
                name: "support_sla_policies");

            migrationBuilder.DropTable(
                name: "tax_rates");

            migrationBuilder.DropTable(
                name: "ticket_messages");

            migrationBuilder.DropTable(
                name: "ticket_pauses");

            migrationBuilder.DropTable(
                name: "user_claims");

            migrationBuilder.DropTable(
                name: "user_logins");

            migrationBuilder.DropTable(
                name: "user_roles");

            migrationBuilder.DropTable(
                name: "user_tokens");

            migrationBuilder.DropTable(
                name: "visitor_touches");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "campaigns");

            migrationBuilder.DropTable(
                name: "carts");

            migrationBuilder.DropTable(
                name: "discounts");

            migrationBuilder.DropTable(
                name: "experiments");

            migrationBuilder.DropTable(
                name: "invoices");

            migrationBuilder.DropTable(
                name: "loyalty_accounts");

            migrationBuilder.DropTable(
                name: "price_lists");

            migrationBuilder.DropTable(
                name: "products");

            migrationBuilder.DropTable(
                name: "purchase_orders");

            migrationBuilder.DropTable(
                name: "quotes");

            migrationBuilder.DropTable(
                name: "refunds");

            migrationBuilder.DropTable(
                name: "returns");

            migrationBuilder.DropTable(
                name: "sales_deals");

            migrationBuilder.DropTable(
                name: "shipments");

            migrationBuilder.DropTable(
                name: "tickets");

            migrationBuilder.DropTable(
                name: "roles");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropTable(
                name: "outbox_events");

            migrationBuilder.DropTable(
                name: "webhooks");

            migrationBuilder.DropTable(
                name: "customers");

            migrationBuilder.DropTable(
                name: "categories");

            migrationBuilder.DropTable(
                name: "suppliers");

            migrationBuilder.DropTable(
                name: "warehouses");

            migrationBuilder.DropTable(
                name: "payments");

            migrationBuilder.DropTable(
                name: "companies");

            migrationBuilder.DropTable(
                name: "orders");

            migrationBuilder.DropTable(
                name: "sales_reps");

            migrationBuilder.DropTable(
                name: "sales_commission_plans");

            migrationBuilder.DropTable(
                name: "sales_teams");

            migrationBuilder.DropTable(
                name: "sales_territories");
        }
    }
}
