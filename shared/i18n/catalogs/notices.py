"""What members are told (shared/domain/notices.py): per message kind the inbox ``title`` and
``body``, the ``sms`` text and the e-mail's ``email_subject`` and ``email_body``; the tier
names and the e-mail footer. Both locales have the same keys and, per key, the same fields.

Fields are the notice's params as :func:`shared.domain.notices.shown` prepares them (tier
names and dates already in the reader's language). SMS text stays short: one segment where
it can (70 Chinese characters, 160 Latin)."""

from __future__ import annotations

EN: dict[str, str] = {
    # points_expiring {points, expires_on}
    "points_expiring.title": "Points expiring soon",
    "points_expiring.body": "{points} of your points expire on {expires_on}. "
    "Spend them in the points mall before then.",
    "points_expiring.sms": "{points} of your points expire on {expires_on}. "
    "Use them in the app before then.",
    "points_expiring.email_subject": "{points} points expire on {expires_on}",
    "points_expiring.email_body": "Hello,\n\n{points} of your points expire on {expires_on}. "
    "Redeem them in the points mall before then so they don't go to waste.",
    # order_shipped {order_id, item, carrier, tracking_no}
    "order_shipped.title": "Your order is on its way",
    "order_shipped.body": "{item} (order {order_id}) has shipped with {carrier}, "
    "tracking number {tracking_no}.",
    "order_shipped.sms": "Your {item} (order {order_id}) has shipped: {carrier} {tracking_no}.",
    "order_shipped.email_subject": "Order {order_id} has shipped",
    "order_shipped.email_body": "Hello,\n\nYour {item} (order {order_id}) has shipped.\n"
    "Carrier: {carrier}\nTracking number: {tracking_no}",
    # order_delivered {order_id, item}
    "order_delivered.title": "Order delivered",
    "order_delivered.body": "{item} (order {order_id}) has been delivered. Enjoy!",
    "order_delivered.sms": "Your {item} (order {order_id}) has been delivered.",
    "order_delivered.email_subject": "Order {order_id} delivered",
    "order_delivered.email_body": "Hello,\n\nYour {item} (order {order_id}) has been "
    "delivered. Enjoy!",
    # tier_promoted {tier}
    "tier_promoted.title": "Welcome to {tier}",
    "tier_promoted.body": "Congratulations! You are now a {tier} member. Enjoy your new benefits.",
    "tier_promoted.sms": "Congratulations! You are now a {tier} member.",
    "tier_promoted.email_subject": "You are now a {tier} member",
    "tier_promoted.email_body": "Hello,\n\nCongratulations! You are now a {tier} member. "
    "Your new benefits apply from today.",
    # tier_demoted {tier}
    "tier_demoted.title": "Your tier has changed",
    "tier_demoted.body": "Your membership tier is now {tier}. "
    "Earn qualifying points to move up again.",
    "tier_demoted.sms": "Your membership tier is now {tier}.",
    "tier_demoted.email_subject": "Your membership tier is now {tier}",
    "tier_demoted.email_body": "Hello,\n\nYour membership tier is now {tier}. "
    "Earn qualifying points to move up again.",
    # prize_won {prize} ({points} shown as the prize when it is points)
    "prize_won.title": "You won a prize",
    "prize_won.body": "Congratulations! You won {prize} in the lucky draw. See it in the app.",
    "prize_won.sms": "Congratulations! You won {prize} in the lucky draw.",
    "prize_won.email_subject": "You won {prize}",
    "prize_won.email_body": "Hello,\n\nCongratulations! You won {prize} in the lucky draw. "
    "Open the app to see it.",
    # rebate_statement {campaign_id, total, currency}
    "rebate_statement.title": "Your rebate statement is ready",
    "rebate_statement.body": "Your rebate statement for {campaign_id} is ready: "
    "{total} {currency}.",
    "rebate_statement.sms": "Your rebate statement for {campaign_id} is ready: {total} {currency}.",
    "rebate_statement.email_subject": "Rebate statement for {campaign_id}: {total} {currency}",
    "rebate_statement.email_body": "Hello,\n\nYour rebate statement for {campaign_id} is "
    "ready: {total} {currency}. You can see the details in the app.",
    # rebate_paid {campaign_id, amount, currency}
    "rebate_paid.title": "Rebate paid",
    "rebate_paid.body": "Your rebate for {campaign_id} has been paid: {amount} {currency}.",
    "rebate_paid.sms": "Your rebate for {campaign_id} has been paid: {amount} {currency}.",
    "rebate_paid.email_subject": "Rebate paid: {amount} {currency}",
    "rebate_paid.email_body": "Hello,\n\nYour rebate for {campaign_id} has been paid: "
    "{amount} {currency}.",
    # birthday_points {points}
    "birthday_points.title": "Happy birthday!",
    "birthday_points.body": "Happy birthday! We have added {points} birthday points "
    "to your account.",
    "birthday_points.sms": "Happy birthday! {points} birthday points are in your account.",
    "birthday_points.email_subject": "Happy birthday: {points} points for you",
    "birthday_points.email_body": "Hello,\n\nHappy birthday! We have added {points} birthday "
    "points to your account.",
    # points_received {points}
    "points_received.title": "Points received",
    "points_received.body": "Another member sent you {points} points.",
    "points_received.sms": "Another member sent you {points} points.",
    "points_received.email_subject": "You received {points} points",
    "points_received.email_body": "Hello,\n\nAnother member sent you {points} points. "
    "They are in your balance now.",
    # shared pieces
    "points": "{points} points",
    "tier.bronze": "Bronze",
    "tier.silver": "Silver",
    "tier.gold": "Gold",
    "tier.platinum": "Platinum",
    "tier.diamond": "Diamond",
    "email_footer": "You get this e-mail because you turned on e-mail notifications. "
    "You can turn them off in the app under Me > Notifications.",
}

ZH_CN: dict[str, str] = {
    "points_expiring.title": "积分即将过期",
    "points_expiring.body": "您有 {points} 积分将于 {expires_on} 过期，请尽快到积分商城兑换。",
    "points_expiring.sms": "您有 {points} 积分将于 {expires_on} 过期，请及时在 App 内使用。",
    "points_expiring.email_subject": "您有 {points} 积分将于 {expires_on} 过期",
    "points_expiring.email_body": "您好：\n\n您有 {points} 积分将于 {expires_on} 过期，"
    "请在此之前到积分商城兑换，以免浪费。",
    "order_shipped.title": "订单已发货",
    "order_shipped.body": "您兑换的{item}（订单 {order_id}）已发货，"
    "{carrier} 运单号：{tracking_no}。",
    "order_shipped.sms": "{item}（订单 {order_id}）已发货，{carrier} 运单号 {tracking_no}。",
    "order_shipped.email_subject": "订单 {order_id} 已发货",
    "order_shipped.email_body": "您好：\n\n您兑换的{item}（订单 {order_id}）已发货。\n"
    "快递公司：{carrier}\n运单号：{tracking_no}",
    "order_delivered.title": "订单已送达",
    "order_delivered.body": "您兑换的{item}（订单 {order_id}）已送达，祝您使用愉快！",
    "order_delivered.sms": "您兑换的{item}（订单 {order_id}）已送达。",
    "order_delivered.email_subject": "订单 {order_id} 已送达",
    "order_delivered.email_body": "您好：\n\n您兑换的{item}（订单 {order_id}）已送达，"
    "祝您使用愉快！",
    "tier_promoted.title": "恭喜升级为{tier}会员",
    "tier_promoted.body": "恭喜您升级为{tier}会员，新权益即刻生效！",
    "tier_promoted.sms": "恭喜您升级为{tier}会员！",
    "tier_promoted.email_subject": "恭喜您升级为{tier}会员",
    "tier_promoted.email_body": "您好：\n\n恭喜您升级为{tier}会员，新权益从今天起生效。",
    "tier_demoted.title": "会员等级变更",
    "tier_demoted.body": "您的会员等级已调整为{tier}，继续累积积分即可再次升级。",
    "tier_demoted.sms": "您的会员等级已调整为{tier}。",
    "tier_demoted.email_subject": "您的会员等级已调整为{tier}",
    "tier_demoted.email_body": "您好：\n\n您的会员等级已调整为{tier}，继续累积积分即可再次升级。",
    "prize_won.title": "恭喜中奖",
    "prize_won.body": "恭喜您在积分抽奖中获得 {prize}！可在 App 内查看。",
    "prize_won.sms": "恭喜您在积分抽奖中获得 {prize}！",
    "prize_won.email_subject": "恭喜您获得 {prize}",
    "prize_won.email_body": "您好：\n\n恭喜您在积分抽奖中获得 {prize}！打开 App 即可查看。",
    "rebate_statement.title": "返利结算单已生成",
    "rebate_statement.body": "您参与的「{campaign_id}」返利结算单已生成，金额 {total} {currency}。",
    "rebate_statement.sms": "「{campaign_id}」返利结算单已生成，金额 {total} {currency}。",
    "rebate_statement.email_subject": "「{campaign_id}」返利结算单：{total} {currency}",
    "rebate_statement.email_body": "您好：\n\n您参与的「{campaign_id}」返利结算单已生成，"
    "金额 {total} {currency}，详情请在 App 内查看。",
    "rebate_paid.title": "返利已发放",
    "rebate_paid.body": "您在「{campaign_id}」中的返利 {amount} {currency} 已发放。",
    "rebate_paid.sms": "「{campaign_id}」返利 {amount} {currency} 已发放。",
    "rebate_paid.email_subject": "返利已发放：{amount} {currency}",
    "rebate_paid.email_body": "您好：\n\n您在「{campaign_id}」中的返利 {amount} {currency} "
    "已发放。",
    "birthday_points.title": "生日快乐！",
    "birthday_points.body": "生日快乐！{points} 生日积分已存入您的账户。",
    "birthday_points.sms": "生日快乐！{points} 生日积分已存入您的账户。",
    "birthday_points.email_subject": "生日快乐：{points} 积分送给您",
    "birthday_points.email_body": "您好：\n\n生日快乐！{points} 生日积分已存入您的账户。",
    "points_received.title": "收到积分转赠",
    "points_received.body": "其他会员向您转赠了 {points} 积分。",
    "points_received.sms": "其他会员向您转赠了 {points} 积分。",
    "points_received.email_subject": "您收到了 {points} 积分",
    "points_received.email_body": "您好：\n\n其他会员向您转赠了 {points} 积分，已计入您的余额。",
    "points": "{points} 积分",
    "tier.bronze": "青铜",
    "tier.silver": "白银",
    "tier.gold": "黄金",
    "tier.platinum": "铂金",
    "tier.diamond": "钻石",
    "email_footer": "您收到此邮件是因为开启了邮件通知，可随时在 App「我的 > 消息设置」中关闭。",
}
