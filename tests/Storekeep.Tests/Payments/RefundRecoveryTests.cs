using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

public sealed class RefundRecoveryTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_refund_whose_answer_is_lost_stays_pending_holds_its_amount_and_completes_once_on_retry(string database)
    {
        var lossy = new AnswerLosingGateway();
        await using var store = await TestStore.StartAsync(database, services: s =>
        {
            s.AddSingleton(lossy);
            s.AddSingleton<IPaymentGateway>(sp => lossy.Wrap(sp.GetRequiredService<TestPaymentGateway>()));
        });
        await store.AddProductAsync("MUG-1", 100m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var url = $"/api/v1/orders/{order["id"].Str()}/refunds";

        lossy.LoseRefundAnswers = true;
        var pending = await (await store.Client.PostJson(url, new { amount = 40m, reason = "Dented" })).ExpectProblem(HttpStatusCode.BadGateway, "refund_pending");
        var refundId = pending["refundId"].Str();

        // The 40 may already be refunded at the gateway, so only 60 can be refunded meanwhile.
        await (await store.Client.PostJson(url, new { amount = 70m })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "refund_exceeds_captured");

        lossy.LoseRefundAnswers = false;
        var retried = await (await store.Client.PostJson($"/api/v1/refunds/{refundId}/retry", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("succeeded", retried["status"].Str());
        await (await store.Client.PostJson($"/api/v1/refunds/{refundId}/retry", new { })).ExpectProblem(HttpStatusCode.Conflict, "refund_not_pending");

        Assert.Single(store.Gateway.Journal, op => op.Kind == "refund" && op.Amount == 40m);
        Assert.Equal("partially_refunded", (await store.GetOrderAsync(order))["paymentStatus"].Str());
        await using var db = store.Db();
        var payment = await db.Payments.SingleAsync();
        Assert.Equal(40m, payment.RefundedAmount);
    }

    /// <summary>Does the refund, then "loses" the answer, as a timeout after the gateway acted would.</summary>
    private sealed class AnswerLosingGateway
    {
        public bool LoseRefundAnswers { get; set; }

        public IPaymentGateway Wrap(TestPaymentGateway inner) => new Wrapper(inner, this);

        private sealed class Wrapper(TestPaymentGateway inner, AnswerLosingGateway owner) : DelegatingGateway(inner)
        {
            public override async Task<GatewayResult> RefundAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct)
            {
                var result = await base.RefundAsync(reference, amount, currency, idempotencyKey, ct);
                return owner.LoseRefundAnswers ? throw new HttpRequestException("The connection was reset.") : result;
            }
        }
    }
}
