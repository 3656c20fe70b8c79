-- The shared limiter as one Lua script, so every decision is atomic across processes. It mirrors
-- src/limiter/pacing-math.ts function for function (same names); test/limiter/core-scenarios.ts
-- runs the same scenarios against both. What an answer means is decided in TypeScript
-- (src/affinity/rate-limit-policy.ts): observe is handed the verdict, never an HTTP status.
--
-- ARG, OP, REPLY, VERDICT, REASON and CONST are placed before this text by
-- src/limiter/redis-limiter-protocol.ts (luaPrelude), the one table of ARGV slots and reply codes;
-- a name missing from them is an error. Never index ARGV by number here.
--
-- KEYS[1] state hash, KEYS[2] in-flight sorted set (member = slot token, score = expiry ms).

local function num(v)
  if v == nil or v == false or v == '' then return nil end
  return tonumber(v)
end

local function arg(slot) return num(ARGV[ARG[slot]]) end

local stateKey, slotsKey = KEYS[1], KEYS[2]
local op = ARGV[ARG.op]
local now = arg('now')
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local token = ARGV[ARG.token]
local cfg = {
  limit = arg('limit'), windowMs = arg('windowMs'), windowFixed = arg('windowFixed') == 1,
  safetyMargin = arg('safetyMargin'),
  burst = arg('burst'), quotaReserve = arg('quotaReserve'), maxInFlight = arg('maxInFlight'),
  slotTtlMs = arg('slotTtlMs'), stateTtlMs = arg('stateTtlMs'),
}

local fields = { 'limit', 'tat', 'learnedWindowMs', 'windowEnd', 'windowConfirmed', 'budget', 'pausedUntil', 'cap', 'successes',
  'backoffLevel', 'orgLimit', 'orgRemaining', 'orgResetAt' }
local raw = redis.call('HMGET', stateKey, unpack(fields))
local s = {}
for i, f in ipairs(fields) do s[f] = num(raw[i]) end
s.limit = s.limit or cfg.limit
s.tat = s.tat or 0
s.pausedUntil = s.pausedUntil or 0
s.cap = s.cap or cfg.maxInFlight
s.successes = s.successes or 0
s.backoffLevel = s.backoffLevel or 0
s.windowConfirmed = s.windowConfirmed or 0

-- Slots of crashed processes expire instead of holding the cap forever.
redis.call('ZREMRANGEBYSCORE', slotsKey, '-inf', now)
s.inFlight = redis.call('ZCARD', slotsKey)

local function dump()
  local out = {}
  for _, f in ipairs(fields) do
    if s[f] ~= nil then
      table.insert(out, f)
      table.insert(out, string.format('%.17g', s[f]))
    end
  end
  table.insert(out, 'inFlight')
  table.insert(out, tostring(s.inFlight))
  return out
end

local function save()
  local set, del = {}, {}
  for _, f in ipairs(fields) do
    if s[f] == nil then
      table.insert(del, f)
    else
      table.insert(set, f)
      table.insert(set, string.format('%.17g', s[f]))
    end
  end
  redis.call('HSET', stateKey, unpack(set))
  if #del > 0 then redis.call('HDEL', stateKey, unpack(del)) end
  redis.call('PEXPIRE', stateKey, cfg.stateTtlMs)
end

local function windowMsOf()
  if cfg.windowFixed then return cfg.windowMs end
  return s.learnedWindowMs or cfg.windowMs
end

local function emissionInterval()
  return windowMsOf() / math.max(s.limit * (1 - cfg.safetyMargin), 1e-9)
end

local function reservedCalls()
  if s.orgLimit == nil then return 0 end
  return math.ceil(s.orgLimit * cfg.quotaReserve)
end

local function advance()
  if s.windowEnd ~= nil and now >= s.windowEnd then
    local windowMs = windowMsOf()
    local windows = math.floor((now - s.windowEnd) / windowMs) + 1
    s.windowEnd = s.windowEnd + windows * windowMs
    s.windowConfirmed = 0
    if s.budget ~= nil then s.budget = math.max(s.limit - s.inFlight, 0) end
  end
  if s.orgResetAt ~= nil and now >= s.orgResetAt then
    s.orgRemaining = nil
    s.orgResetAt = nil
  end
  s.cap = math.min(math.max(s.cap, 1), cfg.maxInFlight)
end

local function decide()
  advance()
  local reserved = reservedCalls()
  if s.orgRemaining ~= nil and s.orgResetAt ~= nil and s.orgRemaining <= reserved then
    return { REPLY.quota, math.floor(s.orgRemaining), math.floor(s.orgResetAt), reserved }
  end
  local interval = emissionInterval()
  local tolerance = (cfg.burst - 1) * interval
  local tat = math.max(s.tat, now)
  local waitMs, reason = 0, REASON.pace
  if tat - tolerance > now then waitMs = tat - tolerance - now end
  if s.budget ~= nil and s.budget <= 0 and s.windowEnd ~= nil then
    if s.windowEnd - now > waitMs then waitMs, reason = s.windowEnd - now, REASON.window end
  end
  if s.pausedUntil - now > waitMs then waitMs, reason = s.pausedUntil - now, REASON.paused end
  if waitMs > 0 then return { REPLY.wait, math.ceil(waitMs), reason } end
  if s.inFlight >= s.cap then return { REPLY.wait, CONST.concurrencyPollMs, REASON.concurrency } end
  s.tat = tat + interval
  s.inFlight = s.inFlight + 1
  redis.call('ZADD', slotsKey, now + cfg.slotTtlMs, token)
  redis.call('PEXPIRE', slotsKey, cfg.slotTtlMs)
  if s.budget ~= nil then s.budget = s.budget - 1 end
  if s.orgRemaining ~= nil then s.orgRemaining = s.orgRemaining - 1 end
  return { REPLY.go }
end

-- rate-limit-policy.ts resetMs: whole seconds until the window ends.
local function resetMs(h)
  if h.userReset == nil then return nil end
  return h.userReset * 1000
end

-- rate-limit-policy.ts learnWindowMs: the largest reset seen, never shrinking.
local function learnWindowMs(known, h)
  local untilReset = resetMs(h)
  if untilReset == nil or untilReset <= 0 then return known end
  return math.min(math.max(known or 0, untilReset), CONST.maxLearnedWindowMs)
end

local function observeWindow(h)
  local others = s.inFlight
  if h.userLimit ~= nil and h.userLimit >= 1 then s.limit = h.userLimit end
  if not cfg.windowFixed then s.learnedWindowMs = learnWindowMs(s.learnedWindowMs, h) end
  local windowMs = windowMsOf()
  local untilReset = resetMs(h)
  local headerEnd = nil
  if untilReset ~= nil then headerEnd = now + untilReset end
  if h.userRemaining == nil then return end
  local left = math.max(h.userRemaining - others, 0)
  local half = windowMs / 2
  if s.windowEnd == nil or s.budget == nil or (headerEnd ~= nil and headerEnd > s.windowEnd + half) then
    s.budget = left
    s.windowEnd = headerEnd or (now + windowMs)
    s.windowConfirmed = headerEnd ~= nil and 1 or 0
  elseif headerEnd == nil or headerEnd >= s.windowEnd - half then
    s.budget = math.min(s.budget, left)
    if headerEnd ~= nil then
      if s.windowConfirmed == 1 then s.windowEnd = math.min(s.windowEnd, headerEnd) else s.windowEnd = headerEnd end
      s.windowConfirmed = 1
    end
  end
end

-- rate-limit-policy.ts pauseForWindow / pauseForConcurrency, then the cap (pacing-math.ts applyVerdict).
local function applyVerdict(verdict, h, random)
  if verdict == VERDICT.windowSpent then
    local windowMs = windowMsOf()
    local untilReset = resetMs(h)
    local waitMs = untilReset
    if waitMs == nil then
      if s.windowEnd ~= nil and s.windowEnd > now then waitMs = s.windowEnd - now else waitMs = windowMs end
    end
    local jitter = random * math.min(1000, windowMs / 10)
    s.pausedUntil = math.max(s.pausedUntil, now + waitMs + jitter)
    s.budget = 0
    s.windowEnd = now + waitMs
    s.windowConfirmed = untilReset ~= nil and 1 or 0
  elseif verdict == VERDICT.concurrency then
    -- 429s arriving during the pause belong to the burst that started it: they do not escalate.
    if now >= s.pausedUntil then
      s.backoffLevel = s.backoffLevel + 1
      local step = math.min(CONST.backoffBaseMs * 2 ^ math.min(math.max(s.backoffLevel - 1, 0), 16),
        CONST.backoffMaxMs)
      s.pausedUntil = now + step * (0.5 + random / 2)
      s.cap = math.max(math.floor(s.cap / 2), 1)
      s.successes = 0
    end
  elseif verdict == VERDICT.accepted then
    s.backoffLevel = 0
    s.successes = s.successes + 1
    if s.successes >= s.cap then
      s.successes = 0
      s.cap = math.min(s.cap + 1, cfg.maxInFlight)
    end
  elseif verdict ~= VERDICT.serverError and verdict ~= VERDICT.noResponse then
    error('limiter script: unknown verdict ' .. tostring(verdict))
  end
end

local function observeQuota(h)
  local others = s.inFlight
  if h.orgRemaining == nil or h.orgReset == nil then
    s.orgLimit, s.orgRemaining, s.orgResetAt = nil, nil, nil
    return
  end
  local left = math.max(h.orgRemaining - others, 0)
  local resetAt = now + h.orgReset * 1000
  s.orgLimit = h.orgLimit
  if s.orgRemaining == nil or s.orgResetAt == nil or resetAt > s.orgResetAt + CONST.newPeriodSlackMs then
    s.orgRemaining = left
    s.orgResetAt = resetAt
  else
    s.orgRemaining = math.min(s.orgRemaining, left)
  end
end

local function observe()
  local verdict = arg('verdict')
  local h = {
    userLimit = arg('userLimit'), userRemaining = arg('userRemaining'), userReset = arg('userReset'),
    orgLimit = arg('orgLimit'), orgRemaining = arg('orgRemaining'), orgReset = arg('orgReset'),
  }
  redis.call('ZREM', slotsKey, token)
  s.inFlight = redis.call('ZCARD', slotsKey)
  advance()
  local answered = verdict ~= VERDICT.noResponse
  if answered then observeWindow(h) end
  applyVerdict(verdict, h, arg('random'))
  if answered then observeQuota(h) end
  return { REPLY.observed }
end

if op == OP.state then return dump() end
local reply
if op == OP.acquire then
  reply = decide()
elseif op == OP.observe then
  reply = observe()
else
  return redis.error_reply('limiter script: unknown op ' .. tostring(op))
end
save()
return reply
