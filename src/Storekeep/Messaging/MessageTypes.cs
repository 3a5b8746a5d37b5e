namespace Storekeep.Messaging;

/// <summary>The template keys; a message's <see cref="Message.Type"/> is one of these.</summary>
public static class MessageTypes
{
    public const string OrderConfirmation = "order_confirmation";
    public const string ShippingConfirmation = "shipping_confirmation";
    public const string Refund = "refund";
    public const string ReturnReceived = "return_received";
    public const string AccountVerification = "account_verification";
    public const string PasswordReset = "password_reset";
    public const string PurchaseOrder = "purchase_order";
    public const string TicketReply = "ticket_reply";
    public const string AbandonedCart = "abandoned_cart";
    public const string Quote = "quote";
    public const string InvoiceReminder = "invoice_reminder";

    /// <summary>The abandoned-cart template's values filled from the step's own subject and body (docs/marketing.md).</summary>
    public const string AbandonedCartSubjectValue = "step.subject";
    public const string AbandonedCartBodyValue = "step.body";
    public const string AbandonedCartDiscountLineValue = "discount.line";

    /// <summary>Marketing templates' one-click unsubscribe link (also sent as the RFC 8058 headers); campaigns use the same name.</summary>
    public const string UnsubscribeUrlValue = "unsubscribe_url";

    /// <summary>A marketing campaign's message: written by the Campaigns capability, not from a template here.</summary>
    public const string Campaign = "campaign";

    public static readonly IReadOnlyList<string> All =
        [OrderConfirmation, ShippingConfirmation, Refund, ReturnReceived, AccountVerification, PasswordReset, PurchaseOrder, TicketReply, AbandonedCart, Quote, InvoiceReminder];

    /// <summary>Every type the log can hold: the templates' and campaigns'.</summary>
    public static readonly IReadOnlyList<string> Logged = [.. All, Campaign];

    /// <summary>
    /// Messages whose body holds a sign-in grade secret (a reset or verification link): the log
    /// shows that they were sent, never their body, so log readers cannot take over an account.
    /// </summary>
    public static readonly IReadOnlySet<string> HoldsSecrets = new HashSet<string>(StringComparer.Ordinal) { AccountVerification, PasswordReset };

    /// <summary>Marketing templates: queued only where consent allows, each with its recipient's one-click unsubscribe link.</summary>
    public static readonly IReadOnlySet<string> Marketing = new HashSet<string>(StringComparer.Ordinal) { AbandonedCart };

    public static bool IsKnown(string? key) => key is not null && Logged.Contains(key, StringComparer.Ordinal);
}

/// <summary>A built-in template: what it is for, the placeholders it may use, sample values for previews, and its default text.</summary>
public sealed record TemplateDefinition(
    string Key,
    string Description,
    IReadOnlyDictionary<string, string> Samples,
    string Subject,
    string Html,
    string Text)
{
    /// <summary>Every placeholder this template may use: its own values and the store's.</summary>
    public IReadOnlyList<string> Placeholders => [.. Samples.Keys];
}

/// <summary>
/// The default text of every message. A store can override each one (see <see cref="MessageTemplate"/>);
/// the defaults stay here, so "reset to default" is deleting the override.
/// </summary>
public static class BuiltInTemplates
{
    public const string StoreName = "store.name";
    public const string StoreAddress = "store.address";
    public const string StoreUrl = "store.url";

    private static readonly Dictionary<string, string> StoreSamples = new(StringComparer.Ordinal)
    {
        [StoreName] = "Example Store",
        [StoreAddress] = "1 Market Street\nSpringfield 12345",
        [StoreUrl] = "https://shop.example.com",
    };

    private static readonly Dictionary<string, TemplateDefinition> Definitions = new TemplateDefinition[]
    {
        new(
            MessageTypes.OrderConfirmation,
            "Sent when an order is placed.",
            Samples(new()
            {
                ["name"] = "Ada Lovelace",
                ["order.number"] = "1001",
                ["order.link"] = "https://shop.example.com/account/orders/1001",
                ["order.lines"] = "2 × Blue mug (MUG-BLUE) — 24.00 USD\n1 × Tea towel (TOWEL-1) — 8.50 USD",
                ["order.subtotal"] = "32.50 USD",
                ["order.shipping"] = "5.00 USD",
                ["order.tax"] = "0.00 USD",
                ["order.total"] = "37.50 USD",
                ["shipping.address"] = "Ada Lovelace\n12 St James's Square\nLondon SW1Y 4JH\nGB",
                ["recommendations"] = "You may also like:\nMilk jug — 14.00 USD — https://shop.example.com/p/milk-jug",
            }),
            "Order #{{order.number}} confirmed",
            Layout("""
                <p>Hello {{name}},</p>
                <p>Thank you for your order <strong>#{{order.number}}</strong>. We will email you again when it ships.</p>
                <p>{{order.lines}}</p>
                <table style="border-collapse:collapse">
                <tr><td style="padding:2px 16px 2px 0">Subtotal</td><td>{{order.subtotal}}</td></tr>
                <tr><td style="padding:2px 16px 2px 0">Shipping</td><td>{{order.shipping}}</td></tr>
                <tr><td style="padding:2px 16px 2px 0">Tax</td><td>{{order.tax}}</td></tr>
                <tr><td style="padding:2px 16px 2px 0"><strong>Total</strong></td><td><strong>{{order.total}}</strong></td></tr>
                </table>
                <p><strong>Shipping to</strong><br>{{shipping.address}}</p>
                <p><a href="{{order.link}}">View your order</a></p>
                <p>{{recommendations}}</p>
                """),
            TextLayout("""
                Hello {{name}},

                Thank you for your order #{{order.number}}. We will email you again when it ships.

                {{order.lines}}

                Subtotal: {{order.subtotal}}
                Shipping: {{order.shipping}}
                Tax: {{order.tax}}
                Total: {{order.total}}

                Shipping to:
                {{shipping.address}}

                View your order: {{order.link}}

                {{recommendations}}
                """)),
        new(
            MessageTypes.ShippingConfirmation,
            "Sent when a shipment of an order leaves the warehouse.",
            Samples(new()
            {
                ["name"] = "Ada Lovelace",
                ["order.number"] = "1001",
                ["order.link"] = "https://shop.example.com/account/orders/1001",
                ["carrier"] = "UPS",
                ["tracking.number"] = "1Z999AA10123456784",
                ["tracking.link"] = "https://www.ups.com/track?tracknum=1Z999AA10123456784",
                ["shipment.lines"] = "2 × MUG-BLUE",
            }),
            "Order #{{order.number}} has shipped",
            Layout("""
                <p>Hello {{name}},</p>
                <p>Good news: your order <strong>#{{order.number}}</strong> is on its way with {{carrier}}.</p>
                <p>Tracking number: <strong>{{tracking.number}}</strong><br><a href="{{tracking.link}}">Track your parcel</a></p>
                <p>In this parcel:<br>{{shipment.lines}}</p>
                <p><a href="{{order.link}}">View your order</a></p>
                """),
            TextLayout("""
                Hello {{name}},

                Good news: your order #{{order.number}} is on its way with {{carrier}}.

                Tracking number: {{tracking.number}}
                Track your parcel: {{tracking.link}}

                In this parcel:
                {{shipment.lines}}

                View your order: {{order.link}}
                """)),
        new(
            MessageTypes.Refund,
            "Sent when a refund to the customer succeeds.",
            Samples(new()
            {
                ["name"] = "Ada Lovelace",
                ["order.number"] = "1001",
                ["order.link"] = "https://shop.example.com/account/orders/1001",
                ["refund.amount"] = "12.50 USD",
                ["refund.currency"] = "USD",
                ["refund.reason"] = "Damaged in transit",
            }),
            "Refund of {{refund.amount}} for order #{{order.number}}",
            Layout("""
                <p>Hello {{name}},</p>
                <p>We have refunded <strong>{{refund.amount}}</strong> for your order <strong>#{{order.number}}</strong>. Depending on your bank it may take a few days to appear.</p>
                <p>Reason: {{refund.reason}}</p>
                <p><a href="{{order.link}}">View your order</a></p>
                """),
            TextLayout("""
                Hello {{name}},

                We have refunded {{refund.amount}} for your order #{{order.number}}. Depending on your bank it may take a few days to appear.

                Reason: {{refund.reason}}

                View your order: {{order.link}}
                """)),
        new(
            MessageTypes.ReturnReceived,
            "Sent when a returned parcel arrives at the warehouse.",
            Samples(new()
            {
                ["name"] = "Ada Lovelace",
                ["order.number"] = "1001",
                ["order.link"] = "https://shop.example.com/account/orders/1001",
                ["return.number"] = "RMA-1001",
                ["return.lines"] = "1 × MUG-BLUE",
            }),
            "We received your return {{return.number}}",
            Layout("""
                <p>Hello {{name}},</p>
                <p>Your return <strong>{{return.number}}</strong> for order <strong>#{{order.number}}</strong> has arrived. We will let you know about your refund.</p>
                <p>Received:<br>{{return.lines}}</p>
                <p><a href="{{order.link}}">View your order</a></p>
                """),
            TextLayout("""
                Hello {{name}},

                Your return {{return.number}} for order #{{order.number}} has arrived. We will let you know about your refund.

                Received:
                {{return.lines}}

                View your order: {{order.link}}
                """)),
        new(
            MessageTypes.AccountVerification,
            "Sent to a shopper who registers, to confirm the email address.",
            Samples(new() { ["name"] = "Ada Lovelace", ["link"] = "https://shop.example.com/account/verify?token=sample" }),
            "Confirm your email address for {{store.name}}",
            Layout("""
                <p>Hello {{name}},</p>
                <p>Please confirm your email address to finish creating your account.</p>
                <p><a href="{{link}}">Confirm my email address</a></p>
                <p>If you did not create an account, you can ignore this email.</p>
                """),
            TextLayout("""
                Hello {{name}},

                Please confirm your email address to finish creating your account:
                {{link}}

                If you did not create an account, you can ignore this email.
                """)),
        new(
            MessageTypes.PasswordReset,
            "Sent to a shopper or a staff member who asked to reset their password.",
            Samples(new() { ["name"] = "Ada Lovelace", ["link"] = "https://shop.example.com/account/reset?token=sample" }),
            "Reset your {{store.name}} password",
            Layout("""
                <p>Hello {{name}},</p>
                <p>Someone (hopefully you) asked to reset your password.</p>
                <p><a href="{{link}}">Choose a new password</a></p>
                <p>If you did not ask for this, ignore this email: your password stays as it is.</p>
                """),
            TextLayout("""
                Hello {{name}},

                Someone (hopefully you) asked to reset your password. Choose a new password here:
                {{link}}

                If you did not ask for this, ignore this email: your password stays as it is.
                """)),
        new(
            MessageTypes.PurchaseOrder,
            "Sent to a supplier when a purchase order is sent.",
            Samples(new()
            {
                ["supplier.name"] = "Acme Ceramics",
                ["po.number"] = "PO-1001",
                ["po.lines"] = "24 × MUG-BLUE (your ref. AC-77) at 4.20 USD — 100.80 USD\n10 × TOWEL-1 at 2.10 USD — 21.00 USD",
                ["po.total"] = "121.80 USD",
                ["po.warehouse"] = "Main warehouse (MAIN)",
                ["po.expected"] = "2026-03-01",
            }),
            "Purchase order {{po.number}} from {{store.name}}",
            Layout("""
                <p>Hello {{supplier.name}},</p>
                <p>Please supply the following for our purchase order <strong>{{po.number}}</strong>.</p>
                <p>{{po.lines}}</p>
                <p><strong>Total: {{po.total}}</strong></p>
                <p>Deliver to: {{po.warehouse}}<br>Expected by: {{po.expected}}</p>
                <p>Please quote {{po.number}} on the delivery note and invoice.</p>
                """),
            TextLayout("""
                Hello {{supplier.name}},

                Please supply the following for our purchase order {{po.number}}.

                {{po.lines}}

                Total: {{po.total}}

                Deliver to: {{po.warehouse}}
                Expected by: {{po.expected}}

                Please quote {{po.number}} on the delivery note and invoice.
                """)),
        new(
            MessageTypes.Quote,
            "Sent to a buyer when a sales quote is sent (again after each new version).",
            Samples(new()
            {
                ["quote.number"] = "Q-1001",
                ["quote.version"] = "2",
                ["quote.company"] = "Northwind Traders",
                ["quote.lines"] = "48 × Stoneware mug — Blue (MUG-BLUE) at 7.50 USD — 360.00 USD\n12 × Linen towel (TOWEL-1) at 9.00 USD — 108.00 USD",
                ["quote.total"] = "468.00 USD",
                ["quote.valid_until"] = "2026-12-31",
                ["quote.note"] = "Prices include our volume tier for 48 mugs.",
                ["quote.link"] = "https://shop.example.com/quotes/3f2a9c",
            }),
            "Quote {{quote.number}} from {{store.name}}",
            Layout("""
                <p>Hello,</p>
                <p>Here is our quote <strong>{{quote.number}}</strong> (version {{quote.version}}) for {{quote.company}}.</p>
                <p>{{quote.lines}}</p>
                <p><strong>Total: {{quote.total}}</strong> before shipping and tax, valid until {{quote.valid_until}}.</p>
                <p>{{quote.note}}</p>
                <p><a href="{{quote.link}}">Review and accept the quote</a></p>
                """),
            TextLayout("""
                Hello,

                Here is our quote {{quote.number}} (version {{quote.version}}) for {{quote.company}}.

                {{quote.lines}}

                Total: {{quote.total}} before shipping and tax, valid until {{quote.valid_until}}.

                {{quote.note}}

                Review and accept the quote here:
                {{quote.link}}
                """)),
        new(
            MessageTypes.TicketReply,
            "Sent to the customer when staff reply to their support ticket (not for internal notes).",
            Samples(new()
            {
                ["name"] = "Ada Lovelace",
                ["ticket.subject"] = "Where is my order?",
                ["ticket.link"] = "https://shop.example.com/account/tickets/0190c1f2-0000-7000-8000-000000000001",
                ["reply.body"] = "Hello Ada,\nyour parcel left our warehouse this morning.",
                ["reply.author"] = "Grace from support",
            }),
            "Re: {{ticket.subject}}",
            Layout("""
                <p>Hello {{name}},</p>
                <p>{{reply.author}} replied to your request <strong>{{ticket.subject}}</strong>:</p>
                <blockquote style="border-left:3px solid #ddd;margin:0;padding-left:12px">{{reply.body}}</blockquote>
                <p><a href="{{ticket.link}}">See the conversation</a></p>
                """),
            TextLayout("""
                Hello {{name}},

                {{reply.author}} replied to your request "{{ticket.subject}}":

                {{reply.body}}

                See the conversation: {{ticket.link}}
                """)),
        new(
            MessageTypes.InvoiceReminder,
            "Sent once to each buyer of a company when one of its invoices becomes overdue.",
            Samples(new()
            {
                ["name"] = "Ada",
                ["company.name"] = "Acme Cafés",
                ["invoice.number"] = "INV-000042",
                ["invoice.amountDue"] = "420.00 USD",
                ["invoice.dueAt"] = "2026-11-30",
            }),
            "Invoice {{invoice.number}} from {{store.name}} is overdue",
            Layout("""
                <p>Hello {{name}},</p>
                <p>Invoice <strong>{{invoice.number}}</strong> to {{company.name}} was due on {{invoice.dueAt}}; <strong>{{invoice.amountDue}}</strong> is still unpaid.</p>
                <p>If you have already paid, thank you, and please ignore this reminder. Otherwise please pay it at your earliest convenience, quoting {{invoice.number}}.</p>
                """),
            TextLayout("""
                Hello {{name}},

                Invoice {{invoice.number}} to {{company.name}} was due on {{invoice.dueAt}}; {{invoice.amountDue}} is still unpaid.

                If you have already paid, thank you, and please ignore this reminder. Otherwise please pay it at your earliest convenience, quoting {{invoice.number}}.
                """)),
        new(
            MessageTypes.AbandonedCart,
            "Sent by an abandoned-cart step; the step's own subject and body fill it (Marketing → Abandoned carts).",
            Samples(new()
            {
                [MessageTypes.AbandonedCartSubjectValue] = "You left something in your cart",
                [MessageTypes.AbandonedCartBodyValue] = "Hello Ada,\nyour cart is waiting for you:\n2 × Blue mug",
                ["cart.items"] = "2 × Blue mug",
                ["cart.link"] = "https://shop.example.com/cart/restore/sample",
                ["discount.code"] = "COMEBACK10",
                [MessageTypes.AbandonedCartDiscountLineValue] = "Use code COMEBACK10 at checkout.",
                ["name"] = "Ada",
                [MessageTypes.UnsubscribeUrlValue] = "https://shop.example.com/m/u/sample",
            }),
            "{{step.subject}}",
            Layout("""
                <p>{{step.body}}</p>
                <p><strong>{{discount.line}}</strong></p>
                <p><a href="{{cart.link}}">Return to your cart</a></p>
                <p style="color:#777;font-size:12px">Don't want these reminders? <a href="{{unsubscribe_url}}">Unsubscribe</a> with one click.</p>
                """),
            TextLayout("""
                {{step.body}}

                {{discount.line}}

                Return to your cart: {{cart.link}}

                Don't want these reminders? Unsubscribe: {{unsubscribe_url}}
                """)),
    }.ToDictionary(d => d.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<TemplateDefinition> All => Definitions.Values;

    public static TemplateDefinition? Find(string? key) => key is not null && Definitions.TryGetValue(key, out var d) ? d : null;

    private static Dictionary<string, string> Samples(Dictionary<string, string> own)
    {
        foreach (var (key, value) in StoreSamples)
        {
            own[key] = value;
        }

        return own;
    }

    // The store's name on top and its address at the foot of every email.
    private static string Layout(string body) =>
        "<!DOCTYPE html>\n<html><body style=\"font-family:Helvetica,Arial,sans-serif;color:#222;max-width:600px;margin:0 auto;padding:16px\">\n" +
        "<h2 style=\"margin-top:0\">{{store.name}}</h2>\n" +
        body +
        "\n<hr style=\"border:none;border-top:1px solid #ddd;margin-top:32px\">\n" +
        "<p style=\"color:#777;font-size:12px\">{{store.name}}<br>{{store.address}}<br><a href=\"{{store.url}}\">{{store.url}}</a></p>\n" +
        "</body></html>\n";

    private static string TextLayout(string body) =>
        "{{store.name}}\n\n" + body + "\n\n--\n{{store.name}}\n{{store.address}}\n{{store.url}}\n";
}
